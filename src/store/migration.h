// Schema migrations as data: a versioned list of SQL scripts, and the backend-independent rules
// for deciding which of them a database still needs. Each backend (SQLite now, PostgreSQL later)
// records applied versions in `schema_migrations(version, name, applied_at)` and runs each
// pending script in its own transaction.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::store {

struct Migration {
  int version = 0;     // 1, 2, 3, ... with no gaps
  std::string name{};  // short snake_case description, checked against the database
  std::string sql{};   // one or more portable statements
};

// A row of schema_migrations.
struct AppliedMigration {
  int version = 0;
  std::string name{};
};

// The DDL of the table that records applied migrations (portable SQL, idempotent).
extern const char* const kSchemaMigrationsTableSql;

// Checks that versions run 1..n without gaps and that names and scripts are present.
Status ValidateMigrations(std::span<const Migration> migrations);

// The newest version in `migrations` (0 when empty).
int LatestVersion(std::span<const Migration> migrations);

// The migrations not yet in `applied`, in version order. Fails with kFailedPrecondition when the
// database is newer than `known` ("database schema version 7 is newer than this novacron (knows
// 3); refusing to start") or when an applied version has a different name than the binary's.
// `database` names the database in messages.
Result<std::vector<Migration>> PendingMigrations(std::span<const Migration> known,
                                                 std::span<const AppliedMigration> applied,
                                                 std::string_view database);

}  // namespace novacron::store
