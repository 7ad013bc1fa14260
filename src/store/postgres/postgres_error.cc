#include "store/postgres/postgres_error.h"

#include <pqxx/pqxx>
#include <string>

namespace novacron::store {
namespace {

// The first line of a libpq/server message, without the "ERROR:  " severity prefix.
std::string FirstLine(std::string_view text) {
  for (std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  }
  const size_t end = text.find('\n');
  if (end != std::string_view::npos) text = text.substr(0, end);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

// Short words for the usual connection failures, the libpq line otherwise.
std::string DescribeConnectionFailure(std::string_view text) {
  if (text.find("Connection refused") != std::string_view::npos) return "connection refused";
  if (text.find("timeout expired") != std::string_view::npos) return "connection timed out";
  if (text.find("server closed the connection unexpectedly") != std::string_view::npos) {
    return "connection lost (server closed the connection)";
  }
  return FirstLine(text);
}

const std::string* SqlState(const std::exception& e) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  return sql == nullptr ? nullptr : &sql->sqlstate();
}

}  // namespace

bool IsConnectionLoss(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
  const std::string* state = SqlState(e);
  if (state == nullptr) return false;
  // 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now.
  return state->starts_with("08") || *state == "57P01" || *state == "57P02" || *state == "57P03";
}

bool IsTransactionRetriable(const std::exception& e) {
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr) return true;
  if (dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) return true;
  const std::string* state = SqlState(e);
  return state != nullptr && (*state == "40001" || *state == "40P01");
}

Status PostgresStatus(std::string_view location, const std::exception& e) {
  const std::string where = "postgres " + std::string(location) + ": ";
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Unavailable(where + "connection lost during commit; the outcome is unknown");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return Unavailable(where + DescribeConnectionFailure(e.what()));
  }
  if (const std::string* state = SqlState(e); state != nullptr) {
    const std::string message = FirstLine(e.what()) + " (SQLSTATE " + *state + ")";
    if (IsConnectionLoss(e)) return Unavailable(where + message);
    if (IsTransactionRetriable(e)) return Unavailable(where + message);
    if (*state == "23505") return AlreadyExists(where + message);
    if (*state == "57014") return DeadlineExceeded(where + message);
    if (*state == "53300") return Unavailable(where + message);  // too many connections
    return Internal(where + message);
  }
  return Internal(where + FirstLine(e.what()));
}

}  // namespace novacron::store
