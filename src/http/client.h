// A small synchronous HTTP/1.1 client: one request per connection. For the CLI (`novacron
// status` asks the running daemon) and for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/headers.h"

namespace novacron::http {

// HTTPS: verify the server against `ca_file` (empty: the system store) and its certificate's
// names against the request's host (or `server_name`); present a client certificate for mTLS.
struct ClientTlsOptions {
  std::string ca_file{};
  std::string cert_file{};  // optional; with key_file
  std::string key_file{};
  std::string server_name{};  // empty: ClientRequest::host
};

struct ClientRequest {
  std::string host = "127.0.0.1";  // IP literal or name
  uint16_t port = 0;
  std::string method = "GET";
  std::string target = "/";  // origin-form: path and query
  Headers headers;           // Host and User-Agent default; Content-Length, Connection are ours
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  // The whole exchange, connect included (name resolution of a non-literal host is not).
  std::chrono::milliseconds timeout{30000};
  size_t max_response_body_bytes = 64 << 20;
  std::optional<ClientTlsOptions> tls{};  // set: https
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;

  std::string_view Header(std::string_view name) const { return headers.Get(name); }
};

// Sends `request` and waits for the whole response. Errors:
//  - unavailable: "cannot connect to 127.0.0.1:8080: connection refused", reset, name not found
//  - unavailable: the TLS handshake failed ("certificate verify failed: ...")
//  - deadline_exceeded: connect_timeout or timeout passed
//  - invalid_argument: bad method, target or header in `request`; unusable TLS files
//  - resource_exhausted: response body over max_response_body_bytes
//  - internal: the server sent something that is not HTTP
Result<ClientResponse> HttpRequest(const ClientRequest& request);

}  // namespace novacron::http
