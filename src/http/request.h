// An HTTP request as handlers see it. The server reuses one Request per connection, so the
// string_views in it (method, route, parameter names) point to storage that outlives the
// handler call; copy them if a handler keeps them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/headers.h"

namespace novacron::http {

// Path parameters captured by the router ("{id}" -> "vm-1"), already percent-decoded.
class PathParams {
 public:
  void Add(std::string_view name, std::string_view value);
  // The value of `name`, or "" when the route has no such parameter.
  std::string_view Get(std::string_view name) const;
  size_t size() const { return size_; }
  void Clear() { size_ = 0; }

 private:
  std::vector<std::pair<std::string_view, std::string>> params_;  // [0, size_) are live
  size_t size_ = 0;
};

// Who sent a request, as established by the authentication middleware (docs/security.md).
// An empty `kind` means nobody was authenticated.
struct RequestIdentity {
  std::string kind;  // "token", "certificate", "config", "loopback"
  std::string id;    // token id, certificate CN, ...
  std::string name;  // token name, certificate CN
  std::string role;  // "viewer", "operator", "admin"
  void Clear() {
    kind.clear();
    id.clear();
    name.clear();
    role.clear();
  }
};

struct Request {
  std::string_view method;  // "GET", "POST", ...: static storage
  std::string path;         // as received: still percent-encoded, without the query
  std::string query;        // raw query string, without the '?'
  int version = 11;         // 10 for HTTP/1.0, 11 for HTTP/1.1
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:53422", "[::1]:53422"
  std::string_view route;      // the pattern that matched ("/api/v1/vms/{id}"); set by Router
  PathParams params;           // set by Router
  RequestIdentity identity;    // set by the authentication middleware
  // The verified client certificate of a TLS connection (mTLS; docs/security.md, "mTLS
  // identities"): its CN and the O= values that are role names. Empty without one. Set once per
  // connection and kept by Reset().
  std::string peer_identity;
  std::vector<std::string> peer_roles;

  std::string_view Header(std::string_view name) const { return headers.Get(name); }
  std::string_view Param(std::string_view name) const { return params.Get(name); }
  // The decoded query parameter, or nullopt when absent or malformed.
  std::optional<std::string> QueryParam(std::string_view name) const;

  // Clears everything but remote_address and peer_*, keeping buffers for the next request.
  void Reset();
};

}  // namespace novacron::http
