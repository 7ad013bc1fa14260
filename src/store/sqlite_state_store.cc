#include "store/sqlite_state_store.h"

#include <system_error>

#include "common/private_files.h"
#include "store/schema.h"
#include "store/sqlite_boot_store.h"
#include "store/sqlite_database.h"
#include "store/sqlite_migrator.h"
#include "store/sqlite_token_store.h"
#include "store/sqlite_vm_store.h"

namespace novacron::store {
namespace {

class SqliteStateStore final : public StateStore {
 public:
  SqliteStateStore(std::unique_ptr<SqliteDatabase> db, int schema_version, int boot_retention)
      : db_(std::move(db)),
        schema_version_(schema_version),
        boots_(*db_, boot_retention),
        vms_(*db_),
        tokens_(*db_) {}

  std::string_view backend() const override { return "sqlite"; }
  std::string location() const override { return db_->path(); }
  int schema_version() const override { return schema_version_; }
  Status Health() override { return db_->Ping(); }
  BootStore& boots() override { return boots_; }
  VmStore& vms() override { return vms_; }
  TokenStore& tokens() override { return tokens_; }

 private:
  std::unique_ptr<SqliteDatabase> db_;
  const int schema_version_;
  SqliteBootStore boots_;
  SqliteVmStore vms_;
  SqliteTokenStore tokens_;
};

}  // namespace

Result<std::unique_ptr<StateStore>> OpenSqliteStateStore(const SqliteStoreOptions& options) {
  if (options.data_dir.empty()) return InvalidArgument("sqlite store: data_dir is empty");
  if (options.boot_retention < 1) {
    return InvalidArgument("sqlite store: boot_retention " +
                           std::to_string(options.boot_retention) + " must be at least 1");
  }
  if (!std::filesystem::exists(options.data_dir)) {
    if (Status created = EnsurePrivateDir(options.data_dir); !created.ok()) {
      return Status(created.code(), "sqlite store: " + created.message());
    }
  }
  Result<std::unique_ptr<SqliteDatabase>> db =
      SqliteDatabase::Open(options.data_dir / kSqliteFileName, {options.busy_timeout});
  if (!db.ok()) return db.status();
  Result<MigrationOutcome> migrated = MigrateSqlite(**db, StoreMigrations());
  if (!migrated.ok()) return migrated.status();
  return std::unique_ptr<StateStore>(std::make_unique<SqliteStateStore>(
      std::move(db).value(), migrated->to_version, options.boot_retention));
}

}  // namespace novacron::store
