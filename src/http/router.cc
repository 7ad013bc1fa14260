#include "http/router.h"

#include <algorithm>
#include <array>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "http/internal_error.h"
#include "http/uri.h"

namespace novacron::http {
namespace {

// Deeper request paths cannot match any sane API route; they get a 404 without further work.
constexpr size_t kMaxSegments = 64;

struct Route {
  std::string method;  // "" = any method
  std::string pattern;
  std::vector<std::string> param_names;  // in path order
  Handler handler;
};

struct Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> param;
  std::vector<Route> routes;
};

bool IsParamNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsMethodToken(std::string_view method) {
  if (method.empty()) return false;
  return std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Splits a path into segments following the trailing-slash policy. Returns false when the path
// has an empty segment in the middle.
template <typename Fn>
bool ForEachSegment(std::string_view path, Fn&& fn) {
  if (path.empty() || path[0] != '/') return false;
  path.remove_prefix(1);
  // One trailing slash after a real segment is ignored; "//" keeps its empty segment.
  if (path.size() >= 2 && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return true;
  while (true) {
    size_t slash = path.find('/');
    std::string_view segment = path.substr(0, slash);
    if (segment.empty()) return false;
    if (!fn(segment)) return false;
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

Response BadPath(std::string_view path, std::string_view segment, std::string_view why) {
  std::string detail = "path ";
  detail.append(path).append(": segment '").append(segment).append("' ").append(why);
  return Response::Problem(400, "Bad Request", detail);
}

// Returns the node matching segments[index...], collecting parameter values; literals first,
// then the parameter child (with backtracking).
// `values` has room for `count` entries; `value_count` is how many are in use.
const Node* Match(const Node* node, const std::string_view* segments, size_t count, size_t index,
                  std::string_view* values, size_t& value_count) {
  if (index == count) return node->routes.empty() ? nullptr : node;
  std::string_view segment = segments[index];
  for (const auto& [literal, child] : node->literals) {
    if (literal == segment) {
      if (const Node* found = Match(child.get(), segments, count, index + 1, values, value_count)) {
        return found;
      }
      break;
    }
  }
  if (node->param) {
    values[value_count++] = segment;
    if (const Node* found =
            Match(node->param.get(), segments, count, index + 1, values, value_count)) {
      return found;
    }
    --value_count;
  }
  return nullptr;
}

}  // namespace

struct Router::Impl {
  Node root;
  std::vector<Middleware> middleware;
  Status status;

  void Fail(std::string message) {
    if (status.ok()) status = InvalidArgument("router: " + std::move(message));
  }

  std::vector<Middleware> before;  // run before matching, for every request
  std::vector<Finisher> finishers;
  std::vector<RouteInfo> route_list;  // in registration order

  void Add(std::string method, std::string_view pattern, Handler handler);
  // Matches the request and runs the middleware and the route's handler.
  Response MatchAndRun(Request& request) const;
  Response Run(const Route& route, Request& request) const;
};

void Router::Impl::Add(std::string method, std::string_view pattern, Handler handler) {
  std::string label = (method.empty() ? std::string("ANY") : method) + " " + std::string(pattern);
  if (!handler) return Fail("route " + label + " has no handler");
  if (!method.empty() && !IsMethodToken(method)) {
    return Fail("route " + label + ": method must be an upper-case token");
  }
  Node* node = &root;
  std::vector<std::string> names;
  std::string error;
  bool ok = ForEachSegment(pattern, [&](std::string_view segment) {
    if (segment.front() == '{') {
      std::string_view name =
          segment.size() >= 3 ? segment.substr(1, segment.size() - 2) : std::string_view();
      if (name.empty() || segment.back() != '}' ||
          !std::all_of(name.begin(), name.end(), IsParamNameChar)) {
        error = "bad parameter segment '" + std::string(segment) + "'";
        return false;
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        error = "parameter {" + std::string(name) + "} appears twice";
        return false;
      }
      names.emplace_back(name);
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
      return true;
    }
    if (segment.find_first_of("{}%") != std::string_view::npos || segment == "." ||
        segment == "..") {
      error = "bad literal segment '" + std::string(segment) + "'";
      return false;
    }
    auto it = std::find_if(node->literals.begin(), node->literals.end(),
                           [&](const auto& entry) { return entry.first == segment; });
    if (it == node->literals.end()) {
      node->literals.emplace_back(std::string(segment), std::make_unique<Node>());
      it = node->literals.end() - 1;
    }
    node = it->second.get();
    return true;
  });
  if (!ok) {
    if (error.empty()) error = "pattern must start with '/' and have no empty segment";
    return Fail("route " + label + ": " + error);
  }
  for (const Route& existing : node->routes) {
    if (existing.method == method) {
      return Fail("route " + label + " duplicates " + (method.empty() ? "ANY" : method) + " " +
                  existing.pattern);
    }
  }
  route_list.push_back(RouteInfo{method, std::string(pattern)});
  node->routes.push_back(
      Route{std::move(method), std::string(pattern), std::move(names), std::move(handler)});
}

Response Router::Impl::Run(const Route& route, Request& request) const {
  const char* stage = "middleware";
  try {
    for (const Middleware& m : middleware) {
      if (std::optional<Response> early = m(request)) return std::move(*early);
    }
    stage = "handler";
    return route.handler(request);
  } catch (const std::exception& e) {
    // The client gets an id, the log the detail (http/internal_error.h).
    return InternalErrorResponse(std::string(stage) + " for " + std::string(request.method) + " " +
                                 route.pattern + " failed: " + e.what());
  } catch (...) {
    return InternalErrorResponse(std::string(stage) + " for " + std::string(request.method) + " " +
                                 route.pattern + " failed with an unknown exception");
  }
}

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Router& Router::Handle(std::string_view method, std::string_view pattern, Handler handler) {
  impl_->Add(std::string(method), pattern, std::move(handler));
  return *this;
}

Router& Router::Any(std::string_view pattern, Handler handler) {
  impl_->Add(std::string(), pattern, std::move(handler));
  return *this;
}

Router& Router::Use(Middleware middleware) {
  if (!middleware) {
    impl_->Fail("empty middleware");
  } else {
    impl_->middleware.push_back(std::move(middleware));
  }
  return *this;
}

Router& Router::Before(Middleware middleware) {
  if (!middleware) {
    impl_->Fail("empty middleware");
  } else {
    impl_->before.push_back(std::move(middleware));
  }
  return *this;
}

Router& Router::Finish(Finisher finisher) {
  if (!finisher) {
    impl_->Fail("empty finisher");
  } else {
    impl_->finishers.push_back(std::move(finisher));
  }
  return *this;
}

const Status& Router::status() const { return impl_->status; }

const std::vector<RouteInfo>& Router::Routes() const { return impl_->route_list; }

Response Router::Dispatch(Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  request.params.Clear();
  request.route = {};
  Response response;
  try {
    std::optional<Response> early;
    for (const Middleware& m : impl_->before) {
      if ((early = m(request))) break;
    }
    response = early ? std::move(*early) : impl_->MatchAndRun(request);
  } catch (...) {
    response = Response::Problem(500, "Internal Server Error", "internal error");
  }
  for (const Finisher& finish : impl_->finishers) {
    try {
      finish(request, response, started);
    } catch (...) {  // a finisher that fails must not lose the response
    }
  }
  return response;
}

Response Router::Impl::MatchAndRun(Request& request) const {
  const std::string& path = request.path;
  if (path.empty() || path[0] != '/') {
    return Response::Problem(400, "Bad Request", "request target must start with '/'");
  }

  // Decoded segments live in `decoded`, reserved up front so the views into it stay valid.
  std::array<std::string_view, kMaxSegments> segments;
  size_t count = 0;
  std::string decoded;
  std::string scratch;
  std::optional<Response> error;
  bool well_formed = ForEachSegment(path, [&](std::string_view raw) {
    if (count == kMaxSegments) return false;
    std::string_view segment = raw;
    if (raw.find('%') != std::string_view::npos) {
      if (decoded.capacity() == 0) decoded.reserve(path.size());
      if (!PercentDecode(raw, scratch)) {
        error = BadPath(path, raw, "has a malformed percent-escape");
        return false;
      }
      size_t start = decoded.size();
      decoded.append(scratch);
      segment = std::string_view(decoded).substr(start, scratch.size());
    }
    if (segment == "." || segment == "..") {
      error = BadPath(path, raw, "is a dot segment (path traversal)");
      return false;
    }
    for (char c : segment) {
      auto u = static_cast<unsigned char>(c);
      if (c == '/' || c == '\\' || u < 0x20 || u == 0x7F) {
        error = BadPath(path, raw, "contains an encoded slash, backslash or control character");
        return false;
      }
    }
    segments[count++] = segment;
    return true;
  });
  if (error) return std::move(*error);

  std::array<std::string_view, kMaxSegments> values;
  size_t value_count = 0;
  const Node* node =
      well_formed ? Match(&root, segments.data(), count, 0, values.data(), value_count) : nullptr;
  if (node == nullptr) {
    return Response::Problem(404, "Not Found",
                             "no route for " + std::string(request.method) + " " + path);
  }

  const Route* chosen = nullptr;
  const Route* get_route = nullptr;
  const Route* any_route = nullptr;
  for (const Route& route : node->routes) {
    if (route.method == request.method) chosen = &route;
    if (route.method == "GET") get_route = &route;
    if (route.method.empty()) any_route = &route;
  }
  if (chosen == nullptr && request.method == "HEAD") chosen = get_route;
  if (chosen == nullptr) chosen = any_route;
  if (chosen == nullptr) {
    std::vector<std::string_view> allowed;
    for (const Route& route : node->routes) allowed.push_back(route.method);
    if (get_route != nullptr &&
        std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
      allowed.push_back("HEAD");
    }
    std::sort(allowed.begin(), allowed.end());
    std::string allow;
    for (std::string_view m : allowed) {
      if (!allow.empty()) allow.append(", ");
      allow.append(m);
    }
    Response response = Response::Problem(405, "Method Not Allowed",
                                          std::string(request.method) + " is not allowed on " +
                                              node->routes.front().pattern + "; allowed: " + allow);
    response.headers.Add("Allow", allow);
    return response;
  }

  for (size_t i = 0; i < value_count && i < chosen->param_names.size(); ++i) {
    request.params.Add(chosen->param_names[i], values[i]);
  }
  request.route = chosen->pattern;
  return Run(*chosen, request);
}

}  // namespace novacron::http
