// Applies the store's migrations to a PostgreSQL database: each pending script in its own
// transaction that first takes a transaction-scoped advisory lock, so daemons starting together
// migrate one at a time (the later ones find the work done). Rows in schema_migrations match
// SQLite's.
#pragma once

#include <span>

#include "common/status.h"
#include "store/migration.h"
#include "store/postgres/postgres_pool.h"

namespace novacron::store {

struct PostgresMigrationOutcome {
  int from_version = 0;  // schema version found
  int to_version = 0;    // schema version now
  int applied = 0;       // migrations run by this call
};

// The advisory lock key held while migrating ("novacron" in ASCII).
inline constexpr int64_t kPostgresMigrationLock = 0x6e6f766163726f6e;

Result<PostgresMigrationOutcome> MigratePostgres(PostgresPool& pool,
                                                 std::span<const Migration> migrations);

}  // namespace novacron::store
