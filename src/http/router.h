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
// Before-middleware runs first, before matching; finishers run last, on every response.
// Middleware runs, in registration order, after a route matched (so path params and
// Request::route are set) and before its handler; the first one that returns a Response
// answers the request instead of the handler. Exceptions from handlers and middleware become
// 500 problem responses.
//
// Register everything before handing the router to HttpServer; it is then read-only and
// Dispatch() may be called from many threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/request.h"
#include "http/response.h"

namespace novacron::http {

using Handler = std::function<Response(const Request&)>;
// May annotate the request (e.g. Request::identity) for later middleware and the handler.
using Middleware = std::function<std::optional<Response>(Request&)>;
// Sees every response before it is sent, with the time Dispatch began: metrics, headers, audit.
using Finisher =
    std::function<void(const Request&, Response&, std::chrono::steady_clock::time_point)>;

struct RouteInfo {
  std::string method;  // "" for Any()
  std::string pattern;
};

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
  // Runs before the route is matched, for every request (404s too): CORS preflight, ...
  Router& Before(Middleware middleware);
  // Runs after the handler (or whatever answered), in registration order, for every request.
  Router& Finish(Finisher finisher);

  // Every registered route, in registration order.
  const std::vector<RouteInfo>& Routes() const;

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
