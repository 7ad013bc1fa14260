#include "api/problem.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace novacron::api {
namespace {

using nlohmann::json;

TEST(HttpStatusForTest, ContractMapping) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kCancelled), 500);
}

TEST(StatusResponseTest, ProblemJsonWithDetail) {
  http::Response r =
      StatusResponse(Conflict("cannot start vm 'web1': it is running"), observe::Logger::Discard());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/problem+json");
  json body = json::parse(r.body);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Conflict");
  EXPECT_EQ(body["status"], 409);
  EXPECT_EQ(body["detail"], "cannot start vm 'web1': it is running");
  EXPECT_FALSE(body.contains("field"));
  EXPECT_FALSE(body.contains("errors"));
}

TEST(StatusResponseTest, InsufficientCapacityTitle) {
  http::Response r =
      StatusResponse(ResourceExhausted("needs 4 vcpus, 2 free"), observe::Logger::Discard());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["title"], "Insufficient capacity");
}

TEST(StatusResponseTest, UnavailableHasRetryAfter) {
  http::Response r = StatusResponse(Unavailable("libvirt down"), observe::Logger::Discard());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers.Get("Retry-After"), std::to_string(kRetryAfterSeconds));
}

TEST(StatusResponseTest, InternalHidesDetails) {
  http::Response r = StatusResponse(Internal("sqlite: disk I/O error at /var/lib/secret.db"),
                                    observe::Logger::Discard());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
  EXPECT_EQ(json::parse(r.body)["title"], "Internal Server Error");
  // The answer names the log line instead: same id in the detail and in request_id.
  std::string id = json::parse(r.body)["request_id"];
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(json::parse(r.body)["detail"],
            "internal error (request id " + id + "); see the daemon log");
}

TEST(UnprocessableTest, ListsEveryFieldAndNamesTheFirst) {
  http::Response r = Unprocessable({{"vcpus", "must be 1..256"}, {"disks[0].x", "unknown field"}});
  EXPECT_EQ(r.status, 422);
  json body = json::parse(r.body);
  EXPECT_EQ(body["field"], "vcpus");
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][1]["field"], "disks[0].x");
  EXPECT_EQ(body["errors"][1]["message"], "unknown field");
}

TEST(BadRequestTest, NamesTheField) {
  json body = json::parse(BadRequest("limit", "limit must be 1..1000").body);
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["field"], "limit");
}

}  // namespace
}  // namespace novacron::api
