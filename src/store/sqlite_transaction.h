// A transaction on a SqliteDatabase. It holds the database's connection for the calling thread
// from Begin() until Commit() or destruction; destruction without Commit() rolls back, so an
// early return or error leaves nothing half-written.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>

#include "common/status.h"
#include "store/sqlite_statement.h"

struct sqlite3;

namespace novacron::store {

class SqliteDatabase;

enum class TransactionMode {
  kRead,   // BEGIN DEFERRED: a consistent snapshot for several SELECTs
  kWrite,  // BEGIN IMMEDIATE: takes the write lock up front (waits up to the busy timeout)
};

class SqliteTransaction {
 public:
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();  // rolls back unless committed

  // Prepares one statement; it must be destroyed before this transaction ends.
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Runs a script of one or more statements that return no rows (migrations, DDL).
  Status Exec(std::string_view sql);
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  int64_t changes() const;

  Status Commit();
  // Ends the transaction now, discarding its writes (the destructor does this too).
  void Rollback();

 private:
  friend class SqliteDatabase;
  SqliteTransaction(sqlite3* db, std::unique_lock<std::mutex> lock)
      : db_(db), lock_(std::move(lock)) {}

  sqlite3* db_ = nullptr;
  std::unique_lock<std::mutex> lock_;
  bool open_ = true;
};

}  // namespace novacron::store
