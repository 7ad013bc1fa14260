// Tests: a fresh SQLite state store in its own temp dir, removed when the store goes.
#pragma once

#include <chrono>
#include <memory>

#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::store::testing {

// A SQLite store that owns the temp dir it lives in, so the dir goes when the test drops it.
class TempSqliteStateStore final : public StateStore {
 public:
  TempSqliteStateStore(std::unique_ptr<TempDir> dir, std::unique_ptr<StateStore> store)
      : dir_(std::move(dir)), store_(std::move(store)) {}

  std::string_view backend() const override { return store_->backend(); }
  std::string location() const override { return store_->location(); }
  int schema_version() const override { return store_->schema_version(); }
  Status Health() override { return store_->Health(); }
  BootStore& boots() override { return store_->boots(); }
  VmStore& vms() override { return store_->vms(); }
  TokenStore& tokens() override { return store_->tokens(); }

 private:
  std::unique_ptr<TempDir> dir_;       // destroyed last
  std::unique_ptr<StateStore> store_;  // closes the database before the dir is removed
};

inline Result<std::unique_ptr<StateStore>> OpenFreshSqlite() {
  auto dir = std::make_unique<TempDir>();
  Result<std::unique_ptr<StateStore>> store = OpenSqliteStateStore(
      {.data_dir = dir->path() / "data", .busy_timeout = std::chrono::seconds(60)});
  if (!store.ok()) return store.status();
  return std::unique_ptr<StateStore>(
      std::make_unique<TempSqliteStateStore>(std::move(dir), std::move(store).value()));
}

}  // namespace novacron::store::testing
