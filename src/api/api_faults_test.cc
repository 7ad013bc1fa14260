// Failures below the API, injected by a decorator in front of the real manager (a store or
// driver that is down cannot be produced on demand otherwise): 503 with Retry-After, 500 that
// hides internals, and no remembered Idempotency-Key answer for either. Also the
// authentication hook on the real stack.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/problem.h"
#include "api/real_vm_stack_for_test.h"

namespace novacron::api {
namespace {

using nlohmann::json;
using testing::Body;

using ApiFaultTest = testing::ApiWithFaultsTest;

TEST_F(ApiFaultTest, UnavailableStoreIs503WithRetryAfter) {
  const std::string name = Name("web1");
  ASSERT_EQ(Create(name).status, 201);
  faults_->FailWith(Unavailable("sqlite: database is locked"));
  for (auto [method, target] : {std::pair{"GET", "/api/v1/vms"}, std::pair{"GET", "/api/v1/node"},
                                std::pair{"POST", "/api/v1/vms/NAME/start"}}) {
    std::string path = target;
    if (auto at = path.find("NAME"); at != std::string::npos) path.replace(at, 4, name);
    http::ClientResponse r = Call(method, path);
    EXPECT_EQ(r.status, 503) << method << " " << path << " " << r.body;
    EXPECT_EQ(r.Header("Retry-After"), std::to_string(kRetryAfterSeconds)) << path;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << path;
    EXPECT_EQ(Body(r)["title"], "Service Unavailable") << path;
  }
  faults_->Heal();
  // The refused start changed nothing.
  EXPECT_EQ(Body(Call("GET", "/api/v1/vms/" + name))["state"], "defined");
}

TEST_F(ApiFaultTest, InternalErrorIs500WithoutTheDetails) {
  faults_->FailWith(Internal("sqlite: disk I/O error at /var/lib/novacron/secret.db"));
  for (const char* target : {"/api/v1/vms", "/api/v1/vms/web1", "/api/v1/node"}) {
    http::ClientResponse r = Call("GET", target);
    EXPECT_EQ(r.status, 500) << target;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("sqlite"), std::string::npos) << r.body;
    EXPECT_EQ(Body(r)["title"], "Internal Server Error");
  }
  http::ClientResponse create = Create(Name("web1"));
  EXPECT_EQ(create.status, 500);
  EXPECT_EQ(create.body.find("secret"), std::string::npos) << create.body;
}

// 5xx answers are not stored under the key: the retry after recovery really runs.
TEST_F(ApiFaultTest, IdempotencyKeyIsNotBurntByAFailure) {
  const std::string name = Name("web1");
  std::string spec = json{{"name", name}, {"memory_mib", 64}}.dump();
  http::Headers key{{"Idempotency-Key", "create-during-outage"}};
  faults_->FailWith(Unavailable("sqlite: database is locked"));
  http::ClientResponse failed = Call("POST", "/api/v1/vms", spec, key);
  EXPECT_EQ(failed.status, 503) << failed.body;
  faults_->Heal();

  http::ClientResponse retried = Call("POST", "/api/v1/vms", spec, key);
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_FALSE(retried.headers.Has("Idempotent-Replayed"));
  EXPECT_EQ(Call("GET", "/api/v1/vms/" + name).status, 200);
  // From now on the success is what the key replays, even during another outage of the manager.
  faults_->FailWith(Unavailable("sqlite: database is locked"));
  http::ClientResponse replayed = Call("POST", "/api/v1/vms", spec, key);
  EXPECT_EQ(replayed.status, 201) << replayed.body;
  EXPECT_EQ(replayed.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replayed.body, retried.body);
  faults_->Heal();
}

class ApiAuthenticationTest : public testing::ApiWithFaultsTest {
 protected:
  void SetUp() override {
    ApiWithFaultsTest::SetUp();
    if (HasFatalFailure()) return;
    server_ = std::make_unique<testing::ApiServer>(ApiV1Deps{
        .manager = faults_.get(),
        .idempotency = &stack_.state().vms(),
        .log = observe::Logger::Discard(),
        .authenticate = [](const http::Request& request) -> std::optional<http::Response> {
          if (request.Header("Authorization") == "Bearer ok") return std::nullopt;
          return http::Response::Problem(401, "Unauthorized", "no token");
        }});
  }
};

TEST_F(ApiAuthenticationTest, HookRefusesBeforeTheHandler) {
  const std::string body = json{{"name", Name("web1")}}.dump();
  EXPECT_EQ(Call("POST", "/api/v1/vms", body).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/vms", body, {{"Idempotency-Key", "k1"}}).status, 401);
  EXPECT_EQ(faults_->mutating_calls.load(), 0);
  EXPECT_EQ(Call("GET", "/api/v1/node").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/vms").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/openapi.json").status, 200);
  http::ClientResponse created =
      Call("POST", "/api/v1/vms", body, {{"Authorization", "Bearer ok"}});
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Call("GET", "/api/v1/vms/" + Name("web1"), "", {{"Authorization", "Bearer ok"}}).status,
            200);
}

}  // namespace
}  // namespace novacron::api
