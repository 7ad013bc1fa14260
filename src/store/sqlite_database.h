// One SQLite database file opened for NovaCron: WAL journal, synchronous=FULL (a commit returns
// only once it is on disk), foreign keys enforced, a busy timeout for other writers.
//
// Threads: one connection, opened in SQLite's serialized mode, plus a mutex that a
// SqliteTransaction holds from Begin() to its end. Any number of threads may share a
// SqliteDatabase; their transactions run one after another. A thread must not Begin() while it
// already holds a transaction (that deadlocks). Other connections and processes on the same file
// are serialized by SQLite's locks; waiting longer than the busy timeout gives kUnavailable.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "store/sqlite_transaction.h"

struct sqlite3;

namespace novacron::store {

struct SqliteOptions {
  // How long a statement waits for another connection's lock before failing with kUnavailable.
  std::chrono::milliseconds busy_timeout{5000};
};

class SqliteDatabase {
 public:
  // Opens `path`, creating the file (not its directory) if missing, and applies the pragmas.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::filesystem::path& path,
                                                      const SqliteOptions& options = {});

  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  const std::string& path() const { return path_; }

  // Starts a transaction and holds the connection for this thread until it ends.
  Result<SqliteTransaction> Begin(TransactionMode mode);

  // A cheap `SELECT 1` round trip, for health checks.
  Status Ping();

 private:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  const std::string path_;
  std::mutex mu_;  // held by the open SqliteTransaction, if any
};

}  // namespace novacron::store
