// Routes requests by method and path pattern to handlers.
//
// Patterns are '/'-separated segments, each either literal ("vms") or a parameter ("{id}",
// name [A-Za-z0-9_]+) that matches one non-empty segment. Literal segments win over
// parameters. Policy:
//  - a trailing slash is ignored: "/api/v1/vms/" matches "/api/v1/vms" (and vice versa);
//  - an empty segment ("/a//b") matches nothing (404);
//  - every request segment is percent-decoded before matching; a malformed escape, a "." or
//    ".." segment (raw or decoded), or a segment that decodes to '/', '\', NUL or another
//    control character is rejected with 400 (path traversal and encoded-slash tricks);
//  - unknown path -> 404, known path with another method -> 405 with an Allow header; all
//    errors are application/problem+json;
//  - a GET route also answers HEAD (the server drops the body).
// Middleware runs, in registration order, after a route matched (so path params and
// Request::route are set) and before its handler; the first one that returns a Response
// answers the request instead of the handler. Exceptions from handlers and middleware become
// 500 problem responses.
//
// Register everything before handing the router to HttpServer; it is then read-only and
// Dispatch() may be called from many threads at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "http/request.h"
#include "http/response.h"

namespace novacron::http {

using Handler = std::function<Response(const Request&)>;
using Middleware = std::function<std::optional<Response>(const Request&)>;

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  Router& Get(std::string_view pattern, Handler handler) {
    return Handle("GET", pattern, std::move(handler));
  }
  Router& Post(std::string_view pattern, Handler handler) {
    return Handle("POST", pattern, std::move(handler));
  }
  Router& Put(std::string_view pattern, Handler handler) {
    return Handle("PUT", pattern, std::move(handler));
  }
  Router& Patch(std::string_view pattern, Handler handler) {
    return Handle("PATCH", pattern, std::move(handler));
  }
  Router& Delete(std::string_view pattern, Handler handler) {
    return Handle("DELETE", pattern, std::move(handler));
  }
  // `method` is an upper-case token ("OPTIONS", "HEAD", ...).
  Router& Handle(std::string_view method, std::string_view pattern, Handler handler);
  // Answers every method not registered explicitly on the same pattern.
  Router& Any(std::string_view pattern, Handler handler);
  Router& Use(Middleware middleware);

  // OK, or the first registration error (bad pattern, duplicate route, bad method);
  // HttpServer::Start() refuses to start with it.
  const Status& status() const;

  // Matches request.path (raw, starting with '/'), sets request.params and request.route,
  // runs the middleware and the handler. Never throws.
  Response Dispatch(Request& request) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace novacron::http
