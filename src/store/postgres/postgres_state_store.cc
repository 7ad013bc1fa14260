#include "store/postgres/postgres_state_store.h"

#include <pqxx/pqxx>
#include <thread>
#include <utility>

#include "store/postgres/postgres_boot_store.h"
#include "store/postgres/postgres_conninfo.h"
#include "store/postgres/postgres_migrator.h"
#include "store/postgres/postgres_pool.h"
#include "store/postgres/postgres_token_store.h"
#include "store/postgres/postgres_vm_store.h"
#include "store/schema.h"

namespace novacron::store {
namespace {

class PostgresStateStore final : public StateStore {
 public:
  PostgresStateStore(std::unique_ptr<PostgresPool> pool, int schema_version, int boot_retention)
      : pool_(std::move(pool)),
        schema_version_(schema_version),
        boots_(*pool_, boot_retention),
        vms_(*pool_),
        tokens_(*pool_) {}

  std::string_view backend() const override { return "postgres"; }
  std::string location() const override { return pool_->location(); }
  int schema_version() const override { return schema_version_; }
  Status Health() override { return Ping(*pool_); }
  BootStore& boots() override { return boots_; }
  VmStore& vms() override { return vms_; }
  TokenStore& tokens() override { return tokens_; }

  static Status Ping(PostgresPool& pool) {
    return pool.Run(PgAccess::kRead, [](pqxx::transaction_base& txn) {
      txn.exec("SELECT 1");
      return Status::Ok();
    });
  }

 private:
  std::unique_ptr<PostgresPool> pool_;
  const int schema_version_;
  PostgresBootStore boots_;
  PostgresVmStore vms_;
  PostgresTokenStore tokens_;
};

// Waits for the server until `timeout`: a daemon may start before its database does.
Status WaitForServer(PostgresPool& pool, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(50);
  while (true) {
    Status pinged = PostgresStateStore::Ping(pool);
    if (pinged.ok() || pinged.code() != ErrorCode::kUnavailable) return pinged;
    if (std::chrono::steady_clock::now() + pause >= deadline) return pinged;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

}  // namespace

Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const PostgresStoreOptions& options) {
  if (options.boot_retention < 1) {
    return InvalidArgument("postgres store: boot_retention " +
                           std::to_string(options.boot_retention) + " must be at least 1");
  }
  if (options.max_connections < 1) {
    return InvalidArgument("postgres store: max_connections " +
                           std::to_string(options.max_connections) + " must be at least 1");
  }
  if (options.connect_timeout.count() <= 0 || options.statement_timeout.count() <= 0) {
    return InvalidArgument(
        "postgres store: connect_timeout and statement_timeout must be "
        "positive");
  }
  NOVACRON_ASSIGN_OR_RETURN(
      PostgresConnInfo info,
      BuildPostgresConnInfo(options.connection_string, options.connect_timeout,
                            options.statement_timeout));
  auto pool = std::make_unique<PostgresPool>(std::move(info), options.max_connections);
  NOVACRON_RETURN_IF_ERROR(WaitForServer(*pool, options.connect_timeout));
  NOVACRON_ASSIGN_OR_RETURN(PostgresMigrationOutcome migrated,
                            MigratePostgres(*pool, StoreMigrations()));
  return std::unique_ptr<StateStore>(std::make_unique<PostgresStateStore>(
      std::move(pool), migrated.to_version, options.boot_retention));
}

}  // namespace novacron::store
