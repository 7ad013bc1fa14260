// The PostgreSQL StateStore (libpqxx): the same schema and semantics as the SQLite one, for
// deployments that keep state in a shared database.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/state_store.h"

namespace novacron::store {

struct PostgresStoreOptions {
  // libpq URI ("postgresql://user:secret@host:5432/db") or key=value list. May hold a password:
  // it never appears in messages or location().
  std::string connection_string{};
  // Bounds each connection attempt (libpq connect_timeout, at least 2 s) and how long Open
  // keeps retrying a server that is not up yet before it gives up with kUnavailable.
  std::chrono::milliseconds connect_timeout{5000};
  // Server-side limit per statement; a call that hits it fails with kDeadlineExceeded.
  std::chrono::milliseconds statement_timeout{30000};
  int max_connections = 4;  // pool size; calls beyond it wait for a free connection
  int boot_retention = 50;  // boots kept; older ones are pruned by BeginBoot
};

// Connects (retrying until connect_timeout), applies pending migrations under an advisory lock
// and returns the store. kUnavailable when the server cannot be reached ("postgres
// 127.0.0.1:5432/db: connection refused"), kFailedPrecondition when the database schema is newer
// than this binary, kInvalidArgument for bad options.
//
// Calls on the store are thread-safe. While the server is down they fail fast with
// kUnavailable; once it is back the next call reconnects.
Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const PostgresStoreOptions& options);

}  // namespace novacron::store
