// libpqxx exceptions turned into Status at the backend's edge. Messages start with
// "postgres <host:port/db>: " and never carry the connection string.
#pragma once

#include <exception>
#include <string_view>

#include "common/status.h"

namespace novacron::store {

// True when the connection that threw `e` is unusable (server gone, restarted, shutting down).
bool IsConnectionLoss(const std::exception& e);

// True for a serialization failure or deadlock: the transaction may simply be run again.
bool IsTransactionRetriable(const std::exception& e);

// kUnavailable for connection problems ("postgres 127.0.0.1:5432/db: connection refused") and
// unknown commit outcomes, kAlreadyExists for unique violations, kDeadlineExceeded for
// statement_timeout, kInternal for the rest.
Status PostgresStatus(std::string_view location, const std::exception& e);

}  // namespace novacron::store
