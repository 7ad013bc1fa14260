#include "store/postgres/postgres_migrator.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <vector>

#include "store/postgres/postgres_values.h"

namespace novacron::store {
namespace {

std::vector<AppliedMigration> ReadApplied(pqxx::transaction_base& txn) {
  std::vector<AppliedMigration> applied;
  for (const pqxx::row& row : txn.exec("SELECT version, name FROM schema_migrations")) {
    applied.push_back({row[0].as<int>(), row[1].as<std::string>()});
  }
  return applied;
}

// Applies the first pending migration, if any: `applied_version` is its version (0: none left),
// `found` the version the database had before.
Status ApplyNext(pqxx::transaction_base& txn, std::span<const Migration> migrations,
                 const std::string& location, int* found, int* applied_version) {
  txn.exec_params("SELECT pg_advisory_xact_lock($1)", kPostgresMigrationLock);
  // Read committed: after the lock, this sees whatever another daemon committed meanwhile.
  txn.exec(kSchemaMigrationsTableSql);
  std::vector<AppliedMigration> applied = ReadApplied(txn);
  *found = 0;
  for (const AppliedMigration& a : applied) *found = std::max(*found, a.version);
  Result<std::vector<Migration>> pending = PendingMigrations(migrations, applied, location);
  if (!pending.ok()) return pending.status();
  *applied_version = 0;
  if (pending->empty()) return Status::Ok();
  const Migration& next = pending->front();
  *applied_version = next.version;  // set first: names the migration if its script fails
  txn.exec(next.sql);
  txn.exec_params("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                  next.version, next.name, pg::ToUnixMicros(std::chrono::system_clock::now()));
  return Status::Ok();
}

}  // namespace

Result<PostgresMigrationOutcome> MigratePostgres(PostgresPool& pool,
                                                 std::span<const Migration> migrations) {
  NOVACRON_RETURN_IF_ERROR(ValidateMigrations(migrations));
  PostgresMigrationOutcome outcome;
  for (bool first = true;; first = false) {
    int found = 0;
    int applied = 0;
    Status status = pool.Run(PgAccess::kWrite, [&](pqxx::transaction_base& txn) {
      return ApplyNext(txn, migrations, pool.location(), &found, &applied);
    });
    if (!status.ok()) {
      if (applied > 0) {
        return status.Wrap("migration " + std::to_string(applied) + " on postgres " +
                           pool.location());
      }
      return status;
    }
    if (first) outcome.from_version = found;
    if (applied == 0) {
      outcome.to_version = found;
      return outcome;
    }
    ++outcome.applied;
  }
}

}  // namespace novacron::store
