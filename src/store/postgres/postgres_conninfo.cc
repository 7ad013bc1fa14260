#include "store/postgres/postgres_conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <map>
#include <memory>

namespace novacron::store {
namespace {

// libpq's key='value' quoting: backslash and single quote are escaped with a backslash.
std::string Quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// The first entry of a comma-separated multi-host list.
std::string FirstOf(const std::string& list) { return list.substr(0, list.find(',')); }

}  // namespace

Result<PostgresConnInfo> BuildPostgresConnInfo(const std::string& connection_string,
                                               std::chrono::milliseconds connect_timeout,
                                               std::chrono::milliseconds statement_timeout) {
  if (connection_string.empty()) {
    return InvalidArgument("postgres store: connection string is empty");
  }
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> parsed(
      PQconninfoParse(connection_string.c_str(), &error), &PQconninfoFree);
  if (parsed == nullptr) {
    // libpq's message may quote part of the string, password included: do not pass it on.
    if (error != nullptr) PQfreemem(error);
    return InvalidArgument(
        "postgres store: the connection string does not parse (libpq URI or "
        "key=value list expected)");
  }
  std::map<std::string, std::string> values;
  for (const PQconninfoOption* option = parsed.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr && option->val[0] != '\0') values[option->keyword] = option->val;
  }

  const long timeout_seconds =
      std::max<long>(2, static_cast<long>((connect_timeout.count() + 999) / 1000));
  values.try_emplace("connect_timeout", std::to_string(timeout_seconds));
  values.try_emplace("keepalives", "1");
  values.try_emplace("keepalives_idle", "10");
  values.try_emplace("keepalives_interval", "5");
  values.try_emplace("keepalives_count", "3");
  values.try_emplace("application_name", "novacron");
  std::string& options = values["options"];
  if (!options.empty()) options += ' ';
  options += "-c statement_timeout=" + std::to_string(statement_timeout.count());

  PostgresConnInfo info;
  for (const auto& [key, value] : values) {
    if (!info.conninfo.empty()) info.conninfo += ' ';
    info.conninfo += key + "=" + Quote(value);
  }
  std::string host = "localhost";
  if (values.contains("host")) {
    host = FirstOf(values["host"]);
  } else if (values.contains("hostaddr")) {
    host = FirstOf(values["hostaddr"]);
  }
  const std::string port = values.contains("port") ? FirstOf(values["port"]) : "5432";
  std::string dbname;
  if (values.contains("dbname")) {
    dbname = values["dbname"];
  } else if (values.contains("user")) {
    dbname = values["user"];  // libpq's default
  }
  info.location = host + ":" + port + "/" + dbname;
  return info;
}

}  // namespace novacron::store
