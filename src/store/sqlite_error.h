// Turns SQLite result codes into novacron::Status, naming the operation and the database file.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;

namespace novacron::store {

// SQLITE_BUSY and SQLITE_LOCKED (another writer holds the database past the busy timeout) map
// to kUnavailable so callers see them as retriable; the rest map to the closest ErrorCode.
ErrorCode SqliteErrorCode(int rc);

// "sqlite <operation> on <db path>: <sqlite message> (<code name>)". `db` may be null (the
// message then comes from the result code alone).
Status SqliteError(int rc, sqlite3* db, std::string_view operation);

// SQL shortened for messages: whitespace runs collapsed, at most 80 characters, in backticks.
std::string QuoteSql(std::string_view sql);

}  // namespace novacron::store
