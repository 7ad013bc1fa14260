#include "store/sqlite_migrator.h"

#include <algorithm>
#include <chrono>

namespace novacron::store {
namespace {

Result<std::vector<AppliedMigration>> ReadApplied(SqliteTransaction& txn) {
  Result<SqliteStatement> select =
      txn.Prepare("SELECT version, name FROM schema_migrations ORDER BY version");
  if (!select.ok()) return select.status();
  std::vector<AppliedMigration> applied;
  while (true) {
    Result<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    applied.push_back({static_cast<int>(select->Int64(0)), select->Text(1)});
  }
  return applied;
}

int NewestVersion(const std::vector<AppliedMigration>& applied) {
  int newest = 0;
  for (const AppliedMigration& a : applied) newest = std::max(newest, a.version);
  return newest;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs the first pending migration, if any, in one transaction. Returns the version it applied
// (0: nothing left to do) and, through `found`, the version the database had before.
Result<int> ApplyNext(SqliteDatabase& db, std::span<const Migration> migrations, int* found) {
  Result<SqliteTransaction> txn = db.Begin(TransactionMode::kWrite);
  if (!txn.ok()) return txn.status();
  // Read inside the write transaction: another process may have migrated meanwhile.
  Result<std::vector<AppliedMigration>> applied = ReadApplied(*txn);
  if (!applied.ok()) return applied.status();
  *found = NewestVersion(*applied);
  Result<std::vector<Migration>> pending = PendingMigrations(migrations, *applied, db.path());
  if (!pending.ok()) return pending.status();
  if (pending->empty()) return 0;

  const Migration& next = pending->front();
  std::string what =
      "migration " + std::to_string(next.version) + " '" + next.name + "' on " + db.path();
  Status ran = txn->Exec(next.sql);
  if (!ran.ok()) return ran.Wrap(what);
  {
    Result<SqliteStatement> insert =
        txn->Prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    if (!insert.ok()) return insert.status().Wrap(what);
    NOVACRON_RETURN_IF_ERROR(insert->BindInt64(1, next.version));
    NOVACRON_RETURN_IF_ERROR(insert->BindText(2, next.name));
    NOVACRON_RETURN_IF_ERROR(insert->BindInt64(3, NowMicros()));
    Status inserted = insert->Run();
    if (!inserted.ok()) return inserted.Wrap(what);
  }
  Status committed = txn->Commit();
  if (!committed.ok()) return committed.Wrap(what);
  return next.version;
}

}  // namespace

Result<std::vector<AppliedMigration>> AppliedSqliteMigrations(SqliteDatabase& db) {
  Result<SqliteTransaction> txn = db.Begin(TransactionMode::kRead);
  if (!txn.ok()) return txn.status();
  return ReadApplied(*txn);
}

Result<MigrationOutcome> MigrateSqlite(SqliteDatabase& db, std::span<const Migration> migrations) {
  {
    Result<SqliteTransaction> txn = db.Begin(TransactionMode::kWrite);
    if (!txn.ok()) return txn.status();
    NOVACRON_RETURN_IF_ERROR(txn->Exec(kSchemaMigrationsTableSql));
    NOVACRON_RETURN_IF_ERROR(txn->Commit());
  }
  MigrationOutcome outcome;
  bool first = true;
  while (true) {
    int found = 0;
    Result<int> applied = ApplyNext(db, migrations, &found);
    if (!applied.ok()) return applied.status();
    if (first) outcome.from_version = found;
    first = false;
    if (*applied == 0) {
      outcome.to_version = found;
      return outcome;
    }
    ++outcome.applied;
  }
}

}  // namespace novacron::store
