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

  std::string_view Header(std::string_view name) const { return headers.Get(name); }
  std::string_view Param(std::string_view name) const { return params.Get(name); }
  // The decoded query parameter, or nullopt when absent or malformed.
  std::optional<std::string> QueryParam(std::string_view name) const;

  // Clears everything but remote_address, keeping buffers for the next request.
  void Reset();
};

}  // namespace novacron::http
