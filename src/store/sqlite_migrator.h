// Applies migrations to a SQLite database: each pending script in its own write transaction,
// recorded in schema_migrations in that same transaction. Safe to run concurrently from several
// processes (the second finds the work done) and idempotent.
#pragma once

#include <span>

#include "common/status.h"
#include "store/migration.h"
#include "store/sqlite_database.h"

namespace novacron::store {

struct MigrationOutcome {
  int from_version = 0;  // schema version found
  int to_version = 0;    // schema version now
  int applied = 0;       // migrations run by this call
};

Result<MigrationOutcome> MigrateSqlite(SqliteDatabase& db, std::span<const Migration> migrations);

// Versions and names recorded in schema_migrations (empty before the first migration).
Result<std::vector<AppliedMigration>> AppliedSqliteMigrations(SqliteDatabase& db);

}  // namespace novacron::store
