#include "store/sqlite_transaction.h"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "store/sqlite_error.h"

namespace novacron::store {

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : db_(other.db_), lock_(std::move(other.lock_)), open_(std::exchange(other.open_, false)) {}

SqliteTransaction::~SqliteTransaction() { Rollback(); }

Result<SqliteStatement> SqliteTransaction::Prepare(std::string_view sql) {
  if (!open_) return FailedPrecondition("sqlite prepare " + QuoteSql(sql) + ": transaction ended");
  return SqliteStatement::Prepare(db_, sql);
}

Status SqliteTransaction::Exec(std::string_view sql) {
  if (!open_) return FailedPrecondition("sqlite exec " + QuoteSql(sql) + ": transaction ended");
  char* error = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // the same text is available from sqlite3_errmsg
  if (rc != SQLITE_OK) return SqliteError(rc, db_, "exec " + QuoteSql(sql));
  return Status::Ok();
}

int64_t SqliteTransaction::changes() const { return sqlite3_changes64(db_); }

Status SqliteTransaction::Commit() {
  if (!open_) return FailedPrecondition("sqlite commit: transaction ended");
  int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, "commit");
  open_ = false;
  if (lock_.owns_lock()) lock_.unlock();
  return Status::Ok();
}

void SqliteTransaction::Rollback() {
  if (open_) {
    open_ = false;
    // SQLite may already have rolled back by itself after some errors (SQLITE_FULL, IOERR);
    // ROLLBACK would then fail with "no transaction is active".
    if (sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  if (lock_.owns_lock()) lock_.unlock();
}

}  // namespace novacron::store
