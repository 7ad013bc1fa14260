// BootStore on a SqliteDatabase whose schema is migrated (StoreMigrations()).
#pragma once

#include "store/boot_store.h"
#include "store/sqlite_database.h"

namespace novacron::store {

class SqliteBootStore final : public BootStore {
 public:
  // `db` must outlive this store. `retention` (>= 1): boots kept by BeginBoot's pruning.
  SqliteBootStore(SqliteDatabase& db, int retention) : db_(db), retention_(retention) {}

  Result<int64_t> BeginBoot(const BootInfo& info) override;
  Status RecordComponent(int64_t boot_id, const ComponentRecord& component) override;
  Status RecordCheckpoint(int64_t boot_id, std::string_view name,
                          std::chrono::microseconds offset) override;
  Status FinishBoot(int64_t boot_id, BootState outcome, std::chrono::microseconds total_duration,
                    std::string_view error) override;
  Status RecordShutdown(int64_t boot_id, std::chrono::system_clock::time_point at,
                        bool clean) override;
  Result<int> MarkInterrupted(int64_t current_boot_id) override;
  Result<std::vector<BootRecord>> ListBoots(int limit) override;
  Result<BootRecord> GetBoot(int64_t boot_id) override;

 private:
  SqliteDatabase& db_;
  const int retention_;
};

}  // namespace novacron::store
