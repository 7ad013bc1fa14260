#include "store/sqlite_error.h"

#include <sqlite3.h>

#include <cctype>

namespace novacron::store {

ErrorCode SqliteErrorCode(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return ErrorCode::kOk;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
      return ErrorCode::kUnavailable;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return ErrorCode::kAlreadyExists;
      }
      return ErrorCode::kFailedPrecondition;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return ErrorCode::kResourceExhausted;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return ErrorCode::kPermissionDenied;
    case SQLITE_INTERRUPT:
      return ErrorCode::kCancelled;
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
      return ErrorCode::kInvalidArgument;
    // The file is there but unusable (wrong file, damaged, unreachable): the operator has to act.
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::kFailedPrecondition;
    default:
      return ErrorCode::kInternal;
  }
}

Status SqliteError(int rc, sqlite3* db, std::string_view operation) {
  std::string message = "sqlite ";
  message += operation;
  if (db != nullptr) {
    const char* file = sqlite3_db_filename(db, "main");
    message += " on ";
    message += (file != nullptr && *file != '\0') ? file : ":memory:";
  }
  message += ": ";
  const char* generic = sqlite3_errstr(rc);
  // The connection's message is more specific ("no such table: boots") when it is about rc.
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    message += sqlite3_errmsg(db);
  } else {
    message += generic;
  }
  message += " (sqlite code " + std::to_string(rc) + ")";
  return Status(SqliteErrorCode(rc), std::move(message));
}

std::string QuoteSql(std::string_view sql) {
  constexpr size_t kMaxChars = 80;
  std::string out = "`";
  bool in_space = false;
  size_t chars = 0;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      in_space = true;
      continue;
    }
    if (in_space && chars > 0) {
      out += ' ';
      ++chars;
    }
    in_space = false;
    if (chars >= kMaxChars) {
      out += "...";
      break;
    }
    out += c;
    ++chars;
  }
  out += '`';
  return out;
}

}  // namespace novacron::store
