// The embedded StateStore: SQLite in <data_dir>/novacron.db.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "common/status.h"
#include "store/state_store.h"

namespace novacron::store {

struct SqliteStoreOptions {
  std::filesystem::path data_dir{};  // created if missing
  std::chrono::milliseconds busy_timeout{5000};
  int boot_retention = 50;  // boots kept; older ones are pruned by BeginBoot
};

inline constexpr char kSqliteFileName[] = "novacron.db";

// Creates the data dir if needed, opens the database (WAL, synchronous=FULL, foreign keys) and
// applies pending migrations. Fails with kFailedPrecondition when the database schema is newer
// than this binary.
Result<std::unique_ptr<StateStore>> OpenSqliteStateStore(const SqliteStoreOptions& options);

}  // namespace novacron::store
