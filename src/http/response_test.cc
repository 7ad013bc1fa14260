#include "http/response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace novacron::http {
namespace {

TEST(ResponseTest, JsonAndTextSetContentType) {
  Response json = Response::Json(201, R"({"id":"vm-1"})");
  EXPECT_EQ(json.status, 201);
  EXPECT_EQ(json.headers.Get("content-type"), "application/json");
  EXPECT_EQ(json.body, R"({"id":"vm-1"})");
  Response text = Response::Text(200, "ok");
  EXPECT_EQ(text.headers.Get("Content-Type"), "text/plain; charset=utf-8");
}

TEST(ResponseTest, ProblemIsValidRfc7807Json) {
  Response problem =
      Response::Problem(422, "Unprocessable Content", "memory_mb must be \"positive\"\n",
                        {{"field", "spec.memory_mb"}});
  EXPECT_EQ(problem.status, 422);
  EXPECT_EQ(problem.headers.Get("Content-Type"), "application/problem+json");
  auto body = nlohmann::json::parse(problem.body);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Unprocessable Content");
  EXPECT_EQ(body["status"], 422);
  EXPECT_EQ(body["detail"], "memory_mb must be \"positive\"\n");
  EXPECT_EQ(body["field"], "spec.memory_mb");
}

TEST(ResponseTest, ProblemTypeCanBeReplacedAndCoreMembersNotDuplicated) {
  Response problem =
      Response::Problem(409, "Conflict", "version mismatch",
                        {{"type", "https://novacron.dev/problems/conflict"}, {"status", "999"}});
  auto body = nlohmann::json::parse(problem.body);
  EXPECT_EQ(body["type"], "https://novacron.dev/problems/conflict");
  EXPECT_EQ(body["status"], 409);
  EXPECT_EQ(body.size(), 4u);
}

TEST(ResponseTest, ProblemStaysValidJsonWithControlAndInvalidUtf8Bytes) {
  std::string nasty = std::string("a\x01\x7f\\b\xff\xc3(") + "\xe2\x82\xac" + "\xed\xa0\x80";
  Response problem = Response::Problem(400, "Bad Request", nasty);
  nlohmann::json body;
  ASSERT_NO_THROW(body = nlohmann::json::parse(problem.body));
  std::string detail = body["detail"];
  EXPECT_EQ(detail.substr(0, 5), "a\x01\x7f\\b");
  EXPECT_NE(detail.find("\xe2\x82\xac"), std::string::npos);  // valid euro sign kept
  EXPECT_NE(detail.find("\xEF\xBF\xBD"), std::string::npos);  // invalid bytes replaced
}

TEST(ResponseTest, StatusReason) {
  EXPECT_EQ(StatusReason(200), "OK");
  EXPECT_EQ(StatusReason(431), "Request Header Fields Too Large");
  EXPECT_EQ(StatusReason(799), "Unknown");
}

}  // namespace
}  // namespace novacron::http
