// The CLI's view of the daemon's REST API (docs/api.md), for the vm, node and cluster commands:
// one small client with Get/Post/Patch/Delete that sends and receives JSON. A failed exchange (no
// daemon, timeout, not HTTP) is an kUnavailable status; any HTTP status, 4xx and 5xx included, is
// a response.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/client_credentials.h"
#include "cli/daemon_address.h"
#include "common/status.h"
#include "http/headers.h"

namespace novacron::cli {

struct ApiResponse {
  int status = 0;
  http::Headers headers;
  nlohmann::json body;   // null when the body is empty or not JSON
  std::string raw_body;  // as received, for error messages when it is not JSON

  bool ok() const { return status >= 200 && status < 300; }
};

class ApiClient {
 public:
  explicit ApiClient(DaemonAddress address,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30),
                     ClientCredentials credentials = {})
      : address_(std::move(address)), timeout_(timeout), credentials_(std::move(credentials)) {}

  Result<ApiResponse> Get(std::string_view target) const;
  // `body` null sends no body.
  Result<ApiResponse> Post(std::string_view target, const nlohmann::json& body,
                           const http::Headers& headers = {}) const;
  Result<ApiResponse> Patch(std::string_view target, const nlohmann::json& body,
                            const http::Headers& headers = {}) const;
  Result<ApiResponse> Delete(std::string_view target, const http::Headers& headers = {}) const;

  const DaemonAddress& address() const { return address_; }

 private:
  Result<ApiResponse> Send(std::string_view method, std::string_view target,
                           const nlohmann::json& body, const http::Headers& headers) const;

  DaemonAddress address_;
  std::chrono::milliseconds timeout_;
  ClientCredentials credentials_;  // TLS and bearer token (cli/client_credentials.h)
};

// Percent-encodes everything but RFC 3986 unreserved characters, for a path segment or a query
// value.
std::string PercentEncode(std::string_view text);

// The string member `key` of a JSON object; "" when absent, not a string, or not an object.
std::string JsonString(const nlohmann::json& j, const char* key);
// The string or number member `key` as text ("web1", "1024", "true"); "-" when absent or null.
std::string JsonScalar(const nlohmann::json& j, const char* key);
// "/api/v1/vms/<name or id>" plus `suffix` ("/start").
std::string VmPath(std::string_view name_or_id, std::string_view suffix = "");
// "/api/v1/nodes/<id>" plus `suffix` ("/cordon").
std::string NodePath(std::string_view node_id, std::string_view suffix = "");

}  // namespace novacron::cli
