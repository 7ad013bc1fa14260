#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/internal_error.h"

namespace novacron::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Request MakeRequest(std::string_view method, std::string path, std::string query = "") {
  Request request;
  request.method = method;
  request.path = std::move(path);
  request.query = std::move(query);
  return request;
}

Handler Echo(std::string name) {
  return [name](const Request& r) {
    std::string body = name;
    body.append(" route=").append(r.route);
    return Response::Text(200, body);
  };
}

Router VmRouter() {
  Router router;
  router.Get("/api/v1/vms", Echo("list"))
      .Post("/api/v1/vms", Echo("create"))
      .Get(
          "/api/v1/vms/{id}",
          [](const Request& r) { return Response::Text(200, "get " + std::string(r.Param("id"))); })
      .Delete("/api/v1/vms/{id}", Echo("delete"))
      .Get("/api/v1/vms/stats", Echo("stats"))
      .Get("/api/v1/vms/{id}/disks/{disk}",
           [](const Request& r) {
             return Response::Text(200,
                                   std::string(r.Param("id")) + "/" + std::string(r.Param("disk")));
           })
      .Get("/api/v1/vms/stats/{window}/raw", Echo("stats-raw"))
      .Get("/", Echo("root"));
  return router;
}

Response Dispatch(const Router& router, std::string_view method, std::string path) {
  Request request = MakeRequest(method, std::move(path));
  return router.Dispatch(request);
}

TEST(RouterTest, MatchesLiteralAndParamSegments) {
  Router router = VmRouter();
  ASSERT_TRUE(router.status().ok()) << router.status().ToString();
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms").body, "list route=/api/v1/vms");
  EXPECT_EQ(Dispatch(router, "POST", "/api/v1/vms").body, "create route=/api/v1/vms");
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/vm-7").body, "get vm-7");
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/vm-7/disks/sda").body, "vm-7/sda");
  EXPECT_EQ(Dispatch(router, "GET", "/").body, "root route=/");
}

TEST(RouterTest, LiteralWinsOverParamAndBacktracks) {
  Router router = VmRouter();
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/stats").body, "stats route=/api/v1/vms/stats");
  // "stats" literal matches first but has no ".../disks/..." below it: falls back to {id}.
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/stats/disks/sdb").body, "stats/sdb");
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/stats/1h/raw").body,
            "stats-raw route=/api/v1/vms/stats/{window}/raw");
}

TEST(RouterTest, TrailingSlashIsIgnored) {
  Router router = VmRouter();
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/").status, 200);
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/vm-1/").body, "get vm-1");
  Router slash_pattern;
  slash_pattern.Get("/health/", Echo("health"));
  EXPECT_EQ(Dispatch(slash_pattern, "GET", "/health").status, 200);
}

TEST(RouterTest, UnknownPathIs404ProblemJson) {
  Router router = VmRouter();
  for (std::string path : {"/nope", "/api/v1", "/api/v1/vms/a/b", "/api//v1/vms",
                           "/api/v1/vms/x/disks", "//", "/api/v1/vms//"}) {
    Response response = Dispatch(router, "GET", path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.headers.Get("Content-Type"), "application/problem+json");
    auto body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["status"], 404);
    EXPECT_THAT(body["detail"].get<std::string>(), HasSubstr(path));
  }
}

TEST(RouterTest, WrongMethodIs405WithSortedAllow) {
  Router router = VmRouter();
  Response response = Dispatch(router, "PUT", "/api/v1/vms/vm-1");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.Get("Allow"), "DELETE, GET, HEAD");
  EXPECT_EQ(response.headers.Get("Content-Type"), "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(response.body)["status"], 405);
  EXPECT_EQ(Dispatch(router, "DELETE", "/api/v1/vms").headers.Get("Allow"), "GET, HEAD, POST");
}

TEST(RouterTest, HeadUsesGetUnlessRegistered) {
  Router router;
  router.Get("/a", Echo("get-a")).Get("/b", Echo("get-b")).Handle("HEAD", "/b", Echo("head-b"));
  EXPECT_EQ(Dispatch(router, "HEAD", "/a").body, "get-a route=/a");
  EXPECT_EQ(Dispatch(router, "HEAD", "/b").body, "head-b route=/b");
}

TEST(RouterTest, AnyAnswersUnregisteredMethods) {
  Router router;
  router.Any("/proxy/{rest}", Echo("any")).Post("/proxy/{rest}", Echo("post"));
  EXPECT_EQ(Dispatch(router, "PATCH", "/proxy/x").body, "any route=/proxy/{rest}");
  EXPECT_EQ(Dispatch(router, "POST", "/proxy/x").body, "post route=/proxy/{rest}");
}

TEST(RouterTest, ParamsArePercentDecoded) {
  Router router = VmRouter();
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/web%20server%3A1").body, "get web server:1");
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/vms/%E2%82%AC").body, "get \xe2\x82\xac");
  // Literal segments are compared decoded too.
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/%76ms").body, "list route=/api/v1/vms");
}

TEST(RouterTest, PathTraversalAndEncodedSlashesAre400) {
  Router router = VmRouter();
  for (std::string path :
       {"/api/v1/vms/..", "/api/v1/vms/.", "/api/v1/vms/%2e%2E", "/api/v1/vms/a%2Fb",
        "/api/v1/vms/a%2fb", "/api/v1/vms/..%2Fetc", "/api/v1/vms/a%5Cb", "/api/v1/vms/a%00b",
        "/api/v1/vms/a%0Ab", "/api/v1/vms/%zz", "/api/v1/vms/abc%4", "/../etc/passwd",
        "/api/v1/vms/a\\b"}) {
    Response response = Dispatch(router, "GET", path);
    EXPECT_EQ(response.status, 400) << path;
    EXPECT_EQ(response.headers.Get("Content-Type"), "application/problem+json") << path;
    EXPECT_TRUE(nlohmann::json::accept(response.body)) << path;
  }
}

TEST(RouterTest, MiddlewareRunsInOrderAndCanAnswer) {
  std::vector<std::string> calls;
  Router router;
  router.Use([&](const Request& r) -> std::optional<Response> {
    calls.push_back("auth " + std::string(r.route) + " id=" + std::string(r.Param("id")));
    if (r.Header("Authorization").empty())
      return Response::Problem(401, "Unauthorized", "no token");
    return std::nullopt;
  });
  router.Use([&](const Request&) -> std::optional<Response> {
    calls.push_back("second");
    return std::nullopt;
  });
  router.Get("/vms/{id}", [&](const Request&) {
    calls.push_back("handler");
    return Response::Text(200, "ok");
  });

  Request anonymous = MakeRequest("GET", "/vms/1");
  EXPECT_EQ(router.Dispatch(anonymous).status, 401);
  EXPECT_EQ(calls, (std::vector<std::string>{"auth /vms/{id} id=1"}));

  calls.clear();
  Request authorized = MakeRequest("GET", "/vms/2");
  authorized.headers.Add("authorization", "Bearer t");
  EXPECT_EQ(router.Dispatch(authorized).status, 200);
  EXPECT_EQ(calls, (std::vector<std::string>{"auth /vms/{id} id=2", "second", "handler"}));

  calls.clear();
  EXPECT_EQ(Dispatch(router, "GET", "/other").status, 404);
  EXPECT_TRUE(calls.empty());  // middleware runs only for matched routes
}

TEST(RouterTest, ThrowingHandlerIs500Problem) {
  Router router;
  router.Get("/boom", [](const Request&) -> Response { throw std::runtime_error("disk on fire"); });
  router.Get("/int", [](const Request&) -> Response { throw 42; });
  std::string reported_id, reported_detail;
  SetInternalErrorReporter([&](std::string_view id, std::string_view detail) {
    reported_id = id;
    reported_detail = detail;
  });
  Response response = Dispatch(router, "GET", "/boom");
  SetInternalErrorReporter(nullptr);
  EXPECT_EQ(response.status, 500);
  auto body = nlohmann::json::parse(response.body);
  // The client sees an id, never the exception text; the log gets the detail under that id.
  EXPECT_THAT(body["detail"].get<std::string>(), Not(HasSubstr("disk on fire")));
  EXPECT_THAT(body["detail"].get<std::string>(), HasSubstr("internal error (request id "));
  EXPECT_EQ(body["request_id"], reported_id);
  EXPECT_EQ(reported_id.size(), 16u);
  EXPECT_THAT(reported_detail, HasSubstr("GET /boom"));
  EXPECT_THAT(reported_detail, HasSubstr("disk on fire"));
  EXPECT_EQ(Dispatch(router, "GET", "/int").status, 500);
}

TEST(RouterTest, RegistrationErrorsAreReported) {
  auto error_of = [](auto&& register_fn) {
    Router router;
    register_fn(router);
    return router.status();
  };
  auto ok = [](const Request&) { return Response::Text(200, ""); };
  EXPECT_TRUE(error_of([&](Router& r) { r.Get("/a/{id}", ok).Get("/a/{other}/b", ok); }).ok());
  Status duplicate = error_of([&](Router& r) { r.Get("/a/{id}", ok).Get("/a/{name}/", ok); });
  EXPECT_EQ(duplicate.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(duplicate.message(), HasSubstr("GET /a/{name}/ duplicates GET /a/{id}"));
  EXPECT_THAT(error_of([&](Router& r) { r.Get("a/b", ok); }).message(), HasSubstr("a/b"));
  EXPECT_THAT(error_of([&](Router& r) { r.Get("/a/{id", ok); }).message(),
              HasSubstr("bad parameter segment '{id'"));
  EXPECT_THAT(error_of([&](Router& r) { r.Get("/a/{}", ok); }).message(), HasSubstr("{}"));
  EXPECT_THAT(error_of([&](Router& r) { r.Get("/a/{x}/{x}", ok); }).message(),
              HasSubstr("appears twice"));
  EXPECT_FALSE(error_of([&](Router& r) { r.Get("/a//b", ok); }).ok());
  EXPECT_FALSE(error_of([&](Router& r) { r.Get("/a/../b", ok); }).ok());
  EXPECT_FALSE(error_of([&](Router& r) { r.Handle("get", "/a", ok); }).ok());
  EXPECT_FALSE(error_of([&](Router& r) { r.Get("/a", Handler()); }).ok());
  EXPECT_FALSE(error_of([&](Router& r) { r.Use(Middleware()); }).ok());
}

TEST(RouterTest, ReusedRequestGetsFreshParams) {
  Router router = VmRouter();
  Request request = MakeRequest("GET", "/api/v1/vms/vm-1/disks/sda");
  EXPECT_EQ(router.Dispatch(request).body, "vm-1/sda");
  request.path = "/api/v1/vms/vm-2";
  EXPECT_EQ(router.Dispatch(request).body, "get vm-2");
  EXPECT_EQ(request.Param("disk"), "");
  EXPECT_EQ(request.params.size(), 1u);
}

}  // namespace
}  // namespace novacron::http
