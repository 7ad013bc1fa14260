// The API's security middleware chain (docs/security.md): authentication (bearer tokens or
// client certificates), the route-by-role table (access_policy.h), per-client rate limiting,
// CORS, security headers, request metrics and the audit trail of every state-changing call.
//
//   auto guard = ApiGuard::Create(options);        // registers its metrics
//   (*guard)->Install(router);                     // before the server starts
//   (*guard)->Apply(new_settings);                 // on SIGHUP
//
// Order per request: CORS preflight (before routing) -> authenticate -> rate limit -> role
// check -> handler -> headers, metrics, audit (before the response is sent).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/access_policy.h"
#include "api/rate_limiter.h"
#include "common/status.h"
#include "http/router.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "security/role.h"
#include "security/token_authenticator.h"

namespace novacron::api {

enum class AuthMode { kNone, kToken, kMtls };

// What may change while running (SIGHUP).
struct GuardSettings {
  int rate_limit = 1000;  // requests per minute per client; 0 = unlimited
  std::vector<std::string> cors_allowed_origins;
  bool open_health = true;
  bool open_metrics = false;
};

// One audit record as the API sees it; the daemon turns it into an audit log line.
struct ApiAuditEntry {
  std::string actor;       // token id, certificate CN, "anonymous"
  std::string actor_name;  // token name, ...
  std::string role;        // "" when not authenticated
  std::string action;      // "vm.create", "auth.failure", ...
  std::string target;      // VM or token id, or the path
  std::string result;      // "ok", "denied", "error"
  int status = 0;          // HTTP status answered
  std::string reason;      // why denied (auth failure reason), "" otherwise
  std::string remote;      // client address
  std::string method;
  std::string path;
};
using AuditSink = std::function<Status(const ApiAuditEntry&)>;

// The identity a verified client certificate carries (auth_method mtls).
using PeerIdentity = std::function<std::optional<security::Principal>(const http::Request&)>;

struct GuardOptions {
  AuthMode mode = AuthMode::kNone;
  security::TokenAuthenticator* tokens = nullptr;  // required for kToken; outlives the guard
  PeerIdentity peer_identity;                      // required for kMtls
  observe::Registry* metrics = nullptr;            // required
  AuditSink audit;                                 // empty: no audit trail
  observe::Logger log = observe::Logger::Discard();
  bool tls = false;  // adds Strict-Transport-Security
  GuardSettings settings;
};

class ApiGuard : public std::enable_shared_from_this<ApiGuard> {
 public:
  static Result<std::shared_ptr<ApiGuard>> Create(GuardOptions options);

  // Adds the chain to `router`; the router keeps the guard alive.
  void Install(http::Router& router);
  void Apply(GuardSettings settings);

  // OK when every route of `router` has an entry in AccessTable(), else names the first one
  // that does not (a route nobody decided the role of must not be served).
  static Status CheckRoutesCovered(const http::Router& router);

  // Whether `request` (parsed, not yet routed) is one the guard lets through without
  // credentials: the OpenAPI document, and health probes and /metrics where they are open to
  // this client. These never block (no token lookup, no audit write), so the server answers
  // them on its I/O threads, ahead of requests waiting for a handler thread.
  bool NeedsNoCredentials(const http::Request& request) const;

 private:
  explicit ApiGuard(GuardOptions options);
  std::shared_ptr<const GuardSettings> settings() const;

  std::optional<http::Response> Preflight(http::Request& request) const;
  // Whether `access` lets this client through without credentials under `settings`.
  static bool IsOpen(Access access, const GuardSettings& settings, bool loopback);
  std::optional<http::Response> Authorize(http::Request& request);
  http::Response Refuse(const http::Request& request, int status, std::string_view reason,
                        std::string_view detail);
  void Finish(const http::Request& request, http::Response& response,
              std::chrono::steady_clock::time_point started);
  void Audit(const ApiAuditEntry& entry);

  GuardOptions options_;
  RateLimiter limiter_;
  observe::CounterFamily* requests_ = nullptr;
  observe::HistogramFamily* durations_ = nullptr;
  observe::CounterFamily* auth_failures_ = nullptr;
  observe::CounterFamily* rate_limited_ = nullptr;
  observe::Counter* audit_failures_ = nullptr;
  mutable std::mutex settings_mu_;
  std::shared_ptr<const GuardSettings> settings_;  // guarded by settings_mu_
};

// Whether "host:port" / "[v6]:port" is a loopback client (127.0.0.0/8, ::1).
bool IsLoopbackClient(std::string_view remote_address);

}  // namespace novacron::api
