// Connection strings for the PostgreSQL backend: the operator's string (libpq URI or key=value,
// possibly with a password) plus the timeouts the store insists on, and a printable location
// without secrets.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace novacron::store {

struct PostgresConnInfo {
  std::string conninfo;  // key='value' ... for libpq; may hold a password: never log it
  std::string location;  // "host:port/dbname", for messages
};

// Parses `connection_string` and adds connect_timeout (seconds, at least 2: libpq's minimum),
// statement_timeout (as a server option) and TCP keepalives unless the string sets them.
// kInvalidArgument when it does not parse; the message never repeats the string.
Result<PostgresConnInfo> BuildPostgresConnInfo(const std::string& connection_string,
                                               std::chrono::milliseconds connect_timeout,
                                               std::chrono::milliseconds statement_timeout);

}  // namespace novacron::store
