// The security middleware over a router whose routes are exactly the access table: the role
// matrix (every route x every role x every kind of bad credential) comes from the table, so a
// route added there is covered here without anyone writing a test for it.
#include "api/api_guard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/access_policy.h"
#include "security/api_token.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::api {
namespace {

using security::Role;
using ::testing::HasSubstr;

constexpr const char* kRemote = "10.1.2.3:40000";  // a string only: no traffic is sent

class ApiGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStateStore({.data_dir = dir_.path() / "data"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    authenticator_ = std::make_unique<security::TokenAuthenticator>(
        store_->tokens(), security::TokenAuthenticator::Options{});
    for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
      tokens_[static_cast<int>(role)] = Issue(role, std::nullopt);
    }
    expired_ = Issue(Role::kAdmin, std::chrono::seconds(1));
    revoked_ = Issue(Role::kAdmin, std::nullopt);
    ASSERT_TRUE(store_->tokens().Revoke(last_id_, std::chrono::system_clock::now()).ok());
  }

  std::string Issue(Role role, std::optional<std::chrono::seconds> ttl) {
    security::NewToken request;
    request.name = "test";
    request.role = role;
    request.ttl = ttl;
    auto now = std::chrono::system_clock::now();
    if (ttl) now -= std::chrono::hours(1);  // already expired
    Result<security::IssuedToken> issued = security::IssueToken(store_->tokens(), request, now);
    EXPECT_TRUE(issued.ok());
    last_id_ = issued->record.id;
    return issued->secret;
  }

  // A router serving every route of the access table with a 200 handler, guarded.
  http::Router GuardedRouter(GuardSettings settings = {}, AuthMode mode = AuthMode::kToken,
                             std::shared_ptr<ApiGuard>* guard_out = nullptr) {
    http::Router router;
    for (const RouteAccess& entry : AccessTable()) {
      router.Handle(entry.method, entry.pattern,
                    [](const http::Request&) { return http::Response::Json(200, "{}"); });
    }
    GuardOptions options;
    options.mode = mode;
    options.tokens = authenticator_.get();
    options.peer_identity = [](const http::Request&) { return std::nullopt; };
    options.metrics = &metrics_;
    options.audit = [this](const ApiAuditEntry& entry) {
      audit_.push_back(entry);
      return Status::Ok();
    };
    options.settings = settings;
    auto guard = ApiGuard::Create(options);
    EXPECT_TRUE(guard.ok()) << guard.status().ToString();
    (*guard)->Install(router);
    EXPECT_TRUE(ApiGuard::CheckRoutesCovered(router).ok());
    if (guard_out != nullptr) *guard_out = *guard;
    return router;
  }

  static std::string Concrete(std::string_view pattern) {
    std::string path(pattern);
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      path.replace(open, path.find('}', open) - open + 1, "x1");
    }
    return path;
  }

  http::Response Call(const http::Router& router, std::string_view method, std::string_view pattern,
                      std::string_view authorization, const char* remote = kRemote) {
    http::Request request;
    request.method = method;
    request.path = Concrete(pattern);
    request.remote_address = remote;
    if (!authorization.empty()) request.headers.Add("Authorization", authorization);
    return router.Dispatch(request);
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<security::TokenAuthenticator> authenticator_;
  observe::Registry metrics_;
  std::vector<ApiAuditEntry> audit_;
  std::string tokens_[3];
  std::string expired_, revoked_, last_id_;
};

TEST_F(ApiGuardTest, RoleMatrixFromTheAccessTable) {
  http::Router router = GuardedRouter();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no token", ""},
      {"malformed", "Bearer not-a-token"},
      {"wrong", "Bearer nct_" + std::string(43, 'Q')},
      {"expired", "Bearer " + expired_},
      {"revoked", "Bearer " + revoked_},
      {"basic", "Basic YWRtaW46YWRtaW4="}};
  int checked = 0;
  for (const RouteAccess& entry : AccessTable()) {
    SCOPED_TRACE(std::string(entry.method) + " " + std::string(entry.pattern));
    const bool open = entry.access == Access::kPublic || entry.access == Access::kHealth;
    for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
      http::Response response =
          Call(router, entry.method, entry.pattern, "Bearer " + tokens_[static_cast<int>(role)]);
      bool allowed = open || security::RoleAllows(role, RequiredRole(entry.access));
      EXPECT_EQ(response.status, allowed ? 200 : 403) << security::RoleName(role);
      ++checked;
    }
    for (const auto& [what, header] : bad) {
      http::Response response = Call(router, entry.method, entry.pattern, header);
      if (open) {
        EXPECT_EQ(response.status, 200) << what;
      } else {
        EXPECT_EQ(response.status, 401) << what;
        EXPECT_THAT(std::string(response.headers.Get("WWW-Authenticate")), HasSubstr("Bearer"));
        EXPECT_EQ(response.headers.Get("Content-Type"), "application/problem+json");
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(AccessTable().size()) * 9);
}

TEST_F(ApiGuardTest, LoopbackMayReadProbesAndMetricsWithoutAToken) {
  http::Router router = GuardedRouter(GuardSettings{
      .rate_limit = 0, .cors_allowed_origins = {}, .open_health = false, .open_metrics = false});
  EXPECT_EQ(Call(router, "GET", "/metrics", "", "127.0.0.1:5000").status, 200);
  EXPECT_EQ(Call(router, "GET", "/health/ready", "", "[::1]:5000").status, 200);
  EXPECT_EQ(Call(router, "GET", "/metrics", "").status, 401);
  EXPECT_EQ(Call(router, "GET", "/health/ready", "").status, 401);
  EXPECT_EQ(Call(router, "GET", "/metrics", "Bearer " + tokens_[0]).status, 200);
  // Everything else needs a token from loopback too.
  EXPECT_EQ(Call(router, "GET", "/api/v1/vms", "", "127.0.0.1:5000").status, 401);
}

TEST_F(ApiGuardTest, RefusalsAndStateChangesAreAudited) {
  http::Router router = GuardedRouter();
  Call(router, "POST", "/api/v1/vms/{id}/start", "Bearer " + tokens_[1]);
  Call(router, "POST", "/api/v1/vms/{id}/start", "Bearer " + tokens_[0]);
  Call(router, "DELETE", "/api/v1/vms/{id}", "Bearer nct_" + std::string(43, 'Q'));
  Call(router, "GET", "/api/v1/vms", "Bearer " + tokens_[0]);  // a read: not audited
  ASSERT_EQ(audit_.size(), 3u);
  EXPECT_EQ(audit_[0].action, "vm.start");
  EXPECT_EQ(audit_[0].result, "ok");
  EXPECT_EQ(audit_[0].role, "operator");
  EXPECT_EQ(audit_[0].target, "x1");
  EXPECT_EQ(audit_[1].action, "auth.forbidden");
  EXPECT_EQ(audit_[1].result, "denied");
  EXPECT_EQ(audit_[1].status, 403);
  EXPECT_EQ(audit_[2].action, "auth.failure");
  EXPECT_EQ(audit_[2].reason, "unknown");
  EXPECT_EQ(audit_[2].actor, "anonymous");
}

TEST_F(ApiGuardTest, RateLimitAnswers429WithRetryAfter) {
  http::Router router = GuardedRouter(GuardSettings{
      .rate_limit = 60, .cors_allowed_origins = {}, .open_health = true, .open_metrics = false});
  int ok = 0, limited = 0;
  for (int i = 0; i < 15; ++i) {
    http::Response response = Call(router, "GET", "/api/v1/vms", "Bearer " + tokens_[0]);
    if (response.status == 200) ++ok;
    if (response.status == 429) {
      ++limited;
      EXPECT_EQ(response.headers.Get("Retry-After"), "1");
    }
  }
  EXPECT_EQ(ok, 10);  // the bucket holds 10 requests at 60/min
  EXPECT_EQ(limited, 5);
  // Another identity has its own bucket; probes are never limited.
  EXPECT_EQ(Call(router, "GET", "/api/v1/vms", "Bearer " + tokens_[1]).status, 200);
  EXPECT_EQ(Call(router, "GET", "/health/live", "Bearer " + tokens_[0]).status, 200);
}

TEST_F(ApiGuardTest, CorsOnlyForConfiguredOrigins) {
  http::Router router = GuardedRouter(GuardSettings{.rate_limit = 0,
                                                    .cors_allowed_origins = {"https://ok.example"},
                                                    .open_health = true,
                                                    .open_metrics = false});
  auto preflight = [&](std::string_view origin) {
    http::Request request;
    request.method = "OPTIONS";
    request.path = "/api/v1/vms";
    request.remote_address = kRemote;
    request.headers.Add("Origin", origin);
    request.headers.Add("Access-Control-Request-Method", "POST");
    return router.Dispatch(request);
  };
  http::Response allowed = preflight("https://ok.example");
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(allowed.headers.Get("Access-Control-Allow-Origin"), "https://ok.example");
  EXPECT_THAT(std::string(allowed.headers.Get("Access-Control-Allow-Headers")),
              HasSubstr("Authorization"));
  http::Response refused = preflight("https://evil.example");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.headers.Get("Access-Control-Allow-Origin"), "");
}

TEST_F(ApiGuardTest, EveryResponseCarriesSecurityHeadersAndIsCounted) {
  http::Router router = GuardedRouter();
  http::Response found = Call(router, "GET", "/api/v1/vms/{id}", "Bearer " + tokens_[0]);
  http::Response missing = Call(router, "GET", "/nope", "");
  for (const http::Response* response : {&found, &missing}) {
    EXPECT_EQ(response->headers.Get("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response->headers.Get("X-Frame-Options"), "DENY");
    EXPECT_EQ(response->headers.Get("Cache-Control"), "no-store");
  }
  std::string text = metrics_.Render();
  EXPECT_THAT(text,
              HasSubstr("novacron_http_requests_total{route=\"/api/v1/vms/{id}\",method=\"GET\","
                        "code=\"200\"} 1"));
  EXPECT_THAT(text, HasSubstr("route=\"unmatched\""));
  EXPECT_EQ(text.find("/api/v1/vms/x1"), std::string::npos);  // templates, never raw paths
  EXPECT_THAT(
      text, HasSubstr("novacron_http_request_duration_seconds_count{route=\"/api/v1/vms/{id}\"}"));
}

TEST_F(ApiGuardTest, AuthFailuresAreCountedByReason) {
  http::Router router = GuardedRouter();
  Call(router, "GET", "/api/v1/vms", "");
  Call(router, "GET", "/api/v1/vms", "Bearer " + expired_);
  Call(router, "GET", "/api/v1/vms", "Bearer " + revoked_);
  Call(router, "POST", "/api/v1/tokens", "Bearer " + tokens_[1]);
  std::string text = metrics_.Render();
  for (const char* reason : {"missing", "expired", "revoked", "forbidden"}) {
    EXPECT_THAT(
        text, HasSubstr("novacron_auth_failures_total{reason=\"" + std::string(reason) + "\"} 1"));
  }
}

TEST_F(ApiGuardTest, ARouteMissingFromTheTableIsRefusedAndReported) {
  http::Router router = GuardedRouter();
  router.Get("/api/v1/secret-new-route",
             [](const http::Request&) { return http::Response::Json(200, "{}"); });
  Status covered = ApiGuard::CheckRoutesCovered(router);
  EXPECT_FALSE(covered.ok());
  EXPECT_THAT(covered.message(), HasSubstr("/api/v1/secret-new-route"));
  // Fail closed: only an admin gets through.
  EXPECT_EQ(Call(router, "GET", "/api/v1/secret-new-route", "Bearer " + tokens_[1]).status, 403);
  EXPECT_EQ(Call(router, "GET", "/api/v1/secret-new-route", "Bearer " + tokens_[2]).status, 200);
}

TEST(IsLoopbackClientTest, Addresses) {
  EXPECT_TRUE(IsLoopbackClient("127.0.0.1:80"));
  EXPECT_TRUE(IsLoopbackClient("127.5.6.7:80"));
  EXPECT_TRUE(IsLoopbackClient("[::1]:80"));
  EXPECT_TRUE(IsLoopbackClient("[::ffff:127.0.0.1]:80"));
  EXPECT_FALSE(IsLoopbackClient("10.0.0.1:80"));
  EXPECT_FALSE(IsLoopbackClient("[::2]:80"));
  EXPECT_FALSE(IsLoopbackClient("1127.0.0.1:80"));
  EXPECT_FALSE(IsLoopbackClient("unknown"));
}

TEST_F(ApiGuardTest, RequestsSkippingTheHandlerQueueAreExactlyTheOnesNeedingNoCredentials) {
  // The server answers NeedsNoCredentials() requests on its I/O threads (docs/operations.md,
  // "Request handling"): that must never let a request needing a token skip the queue, and
  // should cover every open one. Checked against what the guard does, route by route.
  for (bool open : {false, true}) {
    GuardSettings settings;
    settings.open_health = open;
    settings.open_metrics = open;
    std::shared_ptr<ApiGuard> guard;
    http::Router router = GuardedRouter(settings, AuthMode::kToken, &guard);
    for (const RouteAccess& entry : AccessTable()) {
      for (const char* remote : {kRemote, "127.0.0.1:5000", "[::1]:5000"}) {
        http::Request request;
        request.method = entry.method;
        request.path = Concrete(entry.pattern) + "/";  // a trailing slash routes the same
        request.remote_address = remote;
        const bool skips = guard->NeedsNoCredentials(request);
        const int status = router.Dispatch(request).status;
        EXPECT_EQ(skips, status == 200) << entry.method << " " << entry.pattern << " from "
                                        << remote << " open=" << open << ": answered " << status;
      }
    }
  }
}

}  // namespace
}  // namespace novacron::api
