#include "api/api_guard.h"

#include <algorithm>

#include "api/access_policy.h"

namespace novacron::api {
namespace {

constexpr std::string_view kAllowHeaders = "Authorization, Content-Type, If-Match, Idempotency-Key";
constexpr std::string_view kExposeHeaders = "ETag, Location, Retry-After, WWW-Authenticate";
constexpr std::string_view kCorsMethods = "GET, POST, PATCH, DELETE";

bool ChangesState(std::string_view method) {
  return method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE";
}

// Request methods as metric labels: a fixed set, so clients cannot grow the label space.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

bool OriginAllowed(const GuardSettings& settings, std::string_view origin) {
  if (origin.empty()) return false;
  return std::any_of(settings.cors_allowed_origins.begin(), settings.cors_allowed_origins.end(),
                     [&](const std::string& allowed) { return allowed == origin; });
}

std::string ClientAddress(std::string_view remote) {
  // "1.2.3.4:5678" -> "1.2.3.4"; "[::1]:5678" -> "::1"
  if (!remote.empty() && remote.front() == '[') {
    size_t end = remote.find(']');
    return std::string(remote.substr(1, end == std::string_view::npos ? remote.size() : end - 1));
  }
  size_t colon = remote.rfind(':');
  return std::string(colon == std::string_view::npos ? remote : remote.substr(0, colon));
}

}  // namespace

bool IsLoopbackClient(std::string_view remote_address) {
  std::string address = ClientAddress(remote_address);
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

Result<std::shared_ptr<ApiGuard>> ApiGuard::Create(GuardOptions options) {
  if (options.metrics == nullptr) return InvalidArgument("api guard: metrics registry required");
  if (options.mode == AuthMode::kToken && options.tokens == nullptr) {
    return InvalidArgument("api guard: token authentication needs a token authenticator");
  }
  if (options.mode == AuthMode::kMtls && !options.peer_identity) {
    return InvalidArgument("api guard: mtls authentication needs the peer identity");
  }
  std::shared_ptr<ApiGuard> guard(new ApiGuard(std::move(options)));
  observe::Registry& registry = *guard->options_.metrics;
  NOVACRON_ASSIGN_OR_RETURN(
      guard->requests_,
      registry.RegisterCounter("novacron_http_requests_total",
                               "API requests answered, by route template, method and status code.",
                               {"route", "method", "code"}));
  NOVACRON_ASSIGN_OR_RETURN(
      guard->durations_,
      registry.RegisterHistogram("novacron_http_request_duration_seconds",
                                 "Time from routing a request to its response, by route template.",
                                 {"route"}));
  NOVACRON_ASSIGN_OR_RETURN(
      guard->auth_failures_,
      registry.RegisterCounter("novacron_auth_failures_total",
                               "Requests refused by authentication or authorization, by reason.",
                               {"reason"}));
  NOVACRON_ASSIGN_OR_RETURN(
      guard->rate_limited_,
      registry.RegisterCounter("novacron_http_rate_limited_total",
                               "Requests refused with 429 by api.rate_limit.", {}));
  NOVACRON_ASSIGN_OR_RETURN(
      observe::CounterFamily * audit_failures,
      registry.RegisterCounter("novacron_audit_write_failures_total",
                               "Audit log lines that could not be written.", {}));
  guard->audit_failures_ = &audit_failures->Get();
  return guard;
}

ApiGuard::ApiGuard(GuardOptions options)
    : options_(std::move(options)),
      limiter_(options_.settings.rate_limit),
      settings_(std::make_shared<const GuardSettings>(options_.settings)) {}

std::shared_ptr<const GuardSettings> ApiGuard::settings() const {
  std::lock_guard lock(settings_mu_);
  return settings_;
}

void ApiGuard::Apply(GuardSettings settings) {
  limiter_.SetRate(settings.rate_limit);
  auto next = std::make_shared<const GuardSettings>(std::move(settings));
  std::lock_guard lock(settings_mu_);
  settings_ = std::move(next);
}

Status ApiGuard::CheckRoutesCovered(const http::Router& router) {
  for (const http::RouteInfo& route : router.Routes()) {
    if (FindAccess(route.method, route.pattern) == nullptr) {
      return Internal("route " + (route.method.empty() ? std::string("ANY") : route.method) + " " +
                      route.pattern +
                      " has no entry in the access table (src/api/access_policy.cc)");
    }
  }
  return Status::Ok();
}

void ApiGuard::Install(http::Router& router) {
  std::shared_ptr<ApiGuard> self = shared_from_this();
  router.Before([self](http::Request& request) { return self->Preflight(request); });
  router.Use([self](http::Request& request) { return self->Authorize(request); });
  router.Finish([self](const http::Request& request, http::Response& response,
                       std::chrono::steady_clock::time_point started) {
    self->Finish(request, response, started);
  });
}

std::optional<http::Response> ApiGuard::Preflight(http::Request& request) const {
  if (request.method != "OPTIONS") return std::nullopt;
  std::string_view origin = request.Header("Origin");
  if (origin.empty() || request.Header("Access-Control-Request-Method").empty()) {
    return std::nullopt;  // not a CORS preflight: the router answers (405)
  }
  std::shared_ptr<const GuardSettings> current = settings();
  if (!OriginAllowed(*current, origin)) {
    return http::Response::Problem(403, "Forbidden", "origin is not in api.cors_allowed_origins");
  }
  http::Response response;
  response.status = 204;
  response.headers.Set("Access-Control-Allow-Methods", kCorsMethods);
  response.headers.Set("Access-Control-Allow-Headers", kAllowHeaders);
  response.headers.Set("Access-Control-Max-Age", "600");
  return response;  // Finish adds Allow-Origin and Vary
}

http::Response ApiGuard::Refuse(const http::Request& request, int status, std::string_view reason,
                                std::string_view detail) {
  auth_failures_->WithLabels({reason}).Inc();
  const RouteAccess* access = FindAccess(request.method, request.route);
  ApiAuditEntry entry;
  entry.actor = request.identity.kind.empty() ? "anonymous" : request.identity.id;
  entry.actor_name = request.identity.name;
  entry.role = request.identity.role;
  entry.action = status == 401 ? "auth.failure" : "auth.forbidden";
  entry.target = access != nullptr && !access->action.empty()
                     ? std::string(access->action)
                     : std::string(request.method) + " " + std::string(request.route);
  entry.result = "denied";
  entry.status = status;
  entry.reason = std::string(reason);
  entry.remote = request.remote_address;
  entry.method = std::string(request.method);
  entry.path = request.path;
  Audit(entry);
  http::Response response =
      http::Response::Problem(status, status == 401 ? "Unauthorized" : "Forbidden", detail);
  if (status == 401) {
    response.headers.Set("WWW-Authenticate",
                         reason == "missing"
                             ? "Bearer realm=\"novacron\""
                             : "Bearer realm=\"novacron\", error=\"invalid_token\"");
  }
  return response;
}

bool ApiGuard::IsOpen(Access access, const GuardSettings& settings, bool loopback) {
  return access == Access::kPublic ||
         (access == Access::kHealth && (loopback || settings.open_health)) ||
         (access == Access::kMetrics && (loopback || settings.open_metrics));
}

bool ApiGuard::NeedsNoCredentials(const http::Request& request) const {
  // The table's open routes have no parameters: the path is the pattern (bar a trailing '/').
  std::string_view path = request.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const RouteAccess* entry = FindAccess(request.method, path);
  return entry != nullptr &&
         IsOpen(entry->access, *settings(), IsLoopbackClient(request.remote_address));
}

std::optional<http::Response> ApiGuard::Authorize(http::Request& request) {
  const RouteAccess* entry = FindAccess(request.method, request.route);
  // Fail closed: a route nobody put in the table needs an admin.
  const Access access = entry != nullptr ? entry->access : Access::kAdmin;
  std::shared_ptr<const GuardSettings> current = settings();
  if (IsOpen(access, *current, IsLoopbackClient(request.remote_address))) {
    return std::nullopt;  // open routes are not rate limited: probes must not be starved
  }

  std::optional<security::Principal> principal;
  std::string_view failure;
  if (options_.mode == AuthMode::kNone) {
    principal = security::Principal{"anonymous", "anonymous", "", security::Role::kAdmin};
  } else if (options_.mode == AuthMode::kToken) {
    security::TokenCheck check = options_.tokens->Check(request.Header("Authorization"));
    principal = std::move(check.principal);
    if (!principal) failure = security::AuthFailureReason(check.failure);
  } else {
    principal = options_.peer_identity(request);
    if (!principal) failure = "no_client_identity";
  }
  if (principal) {
    request.identity.kind = std::string(principal->kind);
    request.identity.id = principal->identity;
    request.identity.name = principal->name;
    request.identity.role = std::string(security::RoleName(principal->role));
  }

  // Rate limit per identity, or per client address for requests that did not authenticate, so
  // that guessing tokens is throttled too.
  const std::string client =
      principal ? "id:" + principal->identity : "addr:" + ClientAddress(request.remote_address);
  if (int retry_after = limiter_.Take(client); retry_after > 0) {
    rate_limited_->Get().Inc();
    http::Response response = http::Response::Problem(
        429, "Too Many Requests",
        "rate limit of " + std::to_string(limiter_.rate()) + " requests per minute exceeded");
    response.headers.Set("Retry-After", std::to_string(retry_after));
    return response;
  }

  if (!principal) {
    if (failure == "unavailable") {
      return http::Response::Problem(503, "Service Unavailable",
                                     "cannot check the token: the state store does not answer");
    }
    std::string detail = failure == "missing"
                             ? "this route needs a bearer token (Authorization: Bearer ...)"
                             : "the credentials were refused (" + std::string(failure) + ")";
    return Refuse(request, 401, failure, detail);
  }
  const security::Role needed = RequiredRole(access);
  if (!security::RoleAllows(principal->role, needed)) {
    return Refuse(request, 403, "forbidden",
                  std::string(request.method) + " " + std::string(request.route) + " needs role " +
                      std::string(security::RoleName(needed)) + "; this caller has role " +
                      std::string(security::RoleName(principal->role)));
  }
  return std::nullopt;
}

void ApiGuard::Finish(const http::Request& request, http::Response& response,
                      std::chrono::steady_clock::time_point started) {
  http::Headers& headers = response.headers;
  headers.Set("X-Content-Type-Options", "nosniff");
  headers.Set("X-Frame-Options", "DENY");
  headers.Set("Referrer-Policy", "no-referrer");
  headers.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  if (headers.Get("Cache-Control").empty()) headers.Set("Cache-Control", "no-store");
  if (options_.tls) headers.Set("Strict-Transport-Security", "max-age=31536000");
  std::string_view origin = request.Header("Origin");
  if (!origin.empty()) {
    std::shared_ptr<const GuardSettings> current = settings();
    if (OriginAllowed(*current, origin)) {
      headers.Set("Access-Control-Allow-Origin", origin);
      headers.Set("Access-Control-Expose-Headers", kExposeHeaders);
    }
    headers.Add("Vary", "Origin");
  }

  std::string_view route = request.route.empty() ? std::string_view("unmatched") : request.route;
  requests_->WithLabels({route, MethodLabel(request.method), std::to_string(response.status)})
      .Inc();
  durations_->WithLabels({route}).ObserveDuration(std::chrono::steady_clock::now() - started);

  // State-changing calls that got past authentication; refusals were audited by Refuse.
  // Only the guard answers 401/403, and Refuse audited those already.
  if (!ChangesState(request.method) || request.identity.kind.empty() || response.status == 401 ||
      response.status == 403) {
    return;
  }
  const RouteAccess* entry = FindAccess(request.method, request.route);
  if (entry == nullptr || entry->action.empty()) return;
  ApiAuditEntry audit;
  audit.actor = request.identity.id;
  audit.actor_name = request.identity.name;
  audit.role = request.identity.role;
  audit.action = std::string(entry->action);
  std::string_view id = request.Param("id");
  std::string_view location = response.headers.Get("Location");  // what a POST created
  if (!id.empty()) {
    audit.target = std::string(id);
  } else if (!location.empty()) {
    audit.target = std::string(location.substr(location.rfind('/') + 1));
  } else {
    audit.target = request.path;
  }
  audit.result = response.status < 400 ? "ok" : "error";
  audit.status = response.status;
  audit.remote = request.remote_address;
  audit.method = std::string(request.method);
  audit.path = request.path;
  Audit(audit);
}

void ApiGuard::Audit(const ApiAuditEntry& entry) {
  if (!options_.audit) return;
  Status written = options_.audit(entry);
  if (!written.ok()) {
    audit_failures_->Inc();
    options_.log.Error("audit log write failed",
                       {{"action", entry.action}, {"error", written.ToString()}});
  }
}

}  // namespace novacron::api
