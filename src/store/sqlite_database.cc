#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <string_view>

#include "common/private_files.h"
#include "store/sqlite_error.h"
#include "store/sqlite_statement.h"

namespace novacron::store {
namespace {

// Runs a PRAGMA that returns one value and returns that value as text.
Result<std::string> QueryPragma(sqlite3* db, std::string_view sql) {
  Result<SqliteStatement> statement = SqliteStatement::Prepare(db, sql);
  if (!statement.ok()) return statement.status();
  Result<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Internal("sqlite " + QuoteSql(sql) + ": returned no row");
  return statement->Text(0);
}

Status ApplyPragmas(sqlite3* db, const std::string& path) {
  // The busy handler first: switching to WAL needs a lock another process may hold.
  Result<std::string> mode = QueryPragma(db, "PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return FailedPrecondition("sqlite open " + path + ": journal_mode is '" + *mode +
                              "', WAL is not supported on this file system");
  }
  for (std::string_view sql : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    Result<SqliteStatement> statement = SqliteStatement::Prepare(db, sql);
    if (!statement.ok()) return statement.status();
    NOVACRON_RETURN_IF_ERROR(statement->Run());
  }
  // Both pragmas are silently ignored in some builds or states; check they took.
  Result<std::string> synchronous = QueryPragma(db, "PRAGMA synchronous");
  if (!synchronous.ok()) return synchronous.status();
  Result<std::string> foreign_keys = QueryPragma(db, "PRAGMA foreign_keys");
  if (!foreign_keys.ok()) return foreign_keys.status();
  if (*synchronous != "2" || *foreign_keys != "1") {
    return FailedPrecondition("sqlite open " + path + ": synchronous=FULL / foreign_keys=ON " +
                              "did not take effect (got " + *synchronous + " / " + *foreign_keys +
                              ")");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::filesystem::path& path,
                                                             const SqliteOptions& options) {
  std::string path_text = path.string();
  // The database (and so its -wal and -shm, which SQLite creates with the same mode) is readable
  // by the daemon's user only: it holds token hashes and VM definitions.
  if (Status private_file = EnsurePrivateFile(path); !private_file.ok()) {
    return Status(private_file.code(), "sqlite: " + private_file.message());
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path_text.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(rc, nullptr, "open " + path_text);
    sqlite3_close(db);  // a handle is allocated even on most failures
    return status;
  }
  std::unique_ptr<SqliteDatabase> database(new SqliteDatabase(db, path_text));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  Status pragmas = ApplyPragmas(db, path_text);
  if (!pragmas.ok()) return pragmas;
  return database;
}

SqliteDatabase::~SqliteDatabase() {
  // close_v2 defers the close if a statement was leaked rather than failing with SQLITE_BUSY.
  sqlite3_close_v2(db_);
}

Result<SqliteTransaction> SqliteDatabase::Begin(TransactionMode mode) {
  std::unique_lock<std::mutex> lock(mu_);
  const char* sql = mode == TransactionMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, sql);
  return SqliteTransaction(db_, std::move(lock));
}

Status SqliteDatabase::Ping() {
  std::lock_guard<std::mutex> lock(mu_);
  Result<SqliteStatement> statement = SqliteStatement::Prepare(db_, "SELECT 1");
  if (!statement.ok()) return statement.status();
  Result<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row || statement->Int64(0) != 1) {
    return Internal("sqlite health check on " + path_ + ": SELECT 1 did not return 1");
  }
  return Status::Ok();
}

}  // namespace novacron::store
