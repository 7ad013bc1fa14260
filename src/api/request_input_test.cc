#include "api/request_input.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace novacron::api {
namespace {

using nlohmann::json;

// The field of a 400/415/422 problem, or "" when parsing succeeded.
template <typename T>
std::string ProblemField(const Parsed<T>& parsed, int expected_status) {
  const http::Response* r = std::get_if<http::Response>(&parsed);
  if (r == nullptr) return "";
  EXPECT_EQ(r->status, expected_status) << r->body;
  return json::parse(r->body).value("field", "<none>");
}

TEST(ParseListQueryTest, Defaults) {
  Parsed<ListQuery> q = ParseListQuery("");
  ASSERT_TRUE(std::holds_alternative<ListQuery>(q));
  EXPECT_EQ(std::get<ListQuery>(q).page.limit, 100);
  EXPECT_EQ(std::get<ListQuery>(q).page.cursor, "");
  EXPECT_FALSE(std::get<ListQuery>(q).filter.state);
}

TEST(ParseListQueryTest, AllParameters) {
  Parsed<ListQuery> q =
      ParseListQuery("limit=1000&cursor=abc%3D&state=running&label_selector=tier%3Dweb,env=prod");
  ASSERT_TRUE(std::holds_alternative<ListQuery>(q));
  const ListQuery& lq = std::get<ListQuery>(q);
  EXPECT_EQ(lq.page.limit, 1000);
  EXPECT_EQ(lq.page.cursor, "abc=");
  EXPECT_EQ(lq.filter.state, "running");
  EXPECT_EQ(lq.filter.labels,
            (std::map<std::string, std::string>{{"tier", "web"}, {"env", "prod"}}));
}

TEST(ParseListQueryTest, BadLimit) {
  for (const char* query : {"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=", "limit=10x",
                            "limit=99999999999999999999", "limit=+5"}) {
    EXPECT_EQ(ProblemField(ParseListQuery(query), 400), "limit") << query;
  }
}

TEST(ParseListQueryTest, BadStateSelectorCursor) {
  EXPECT_EQ(ProblemField(ParseListQuery("state=sleeping"), 400), "state");
  EXPECT_EQ(ProblemField(ParseListQuery("state="), 400), "state");
  for (const char* sel : {"label_selector=tier", "label_selector==web", "label_selector=a=1,,b=2",
                          "label_selector=a=1,", "label_selector=a=1,a=2", "label_selector=a=b=c",
                          "label_selector=a%01=1"}) {
    EXPECT_EQ(ProblemField(ParseListQuery(sel), 400), "label_selector") << sel;
  }
  EXPECT_EQ(ProblemField(ParseListQuery("cursor=" + std::string(600, 'a')), 400), "cursor");
  EXPECT_EQ(ProblemField(ParseListQuery("cursor=%00"), 400), "cursor");
}

TEST(ParseListQueryTest, UnknownRepeatedMalformed) {
  EXPECT_EQ(ProblemField(ParseListQuery("stat=running"), 400), "stat");
  EXPECT_EQ(ProblemField(ParseListQuery("limit=1&limit=2"), 400), "limit");
  EXPECT_EQ(ProblemField(ParseListQuery("limit=%zz"), 400), "query");
}

TEST(ParseBoolParamTest, TrueFalseOrRefused) {
  std::map<std::string, std::string> params{{"start", "true"}, {"force", "yes"}};
  EXPECT_EQ(std::get<bool>(ParseBoolParam(params, "start")), true);
  EXPECT_EQ(std::get<bool>(ParseBoolParam({}, "start")), false);
  EXPECT_EQ(ProblemField(ParseBoolParam(params, "force"), 400), "force");
}

http::Request JsonRequest(std::string content_type, std::string body) {
  http::Request r;
  r.method = "POST";
  if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
  r.body = std::move(body);
  return r;
}

TEST(ParseJsonObjectBodyTest, AcceptsJsonMediaTypes) {
  for (const char* type : {"application/json", "application/json; charset=utf-8",
                           "Application/JSON", "application/merge-patch+json"}) {
    Parsed<json> p = ParseJsonObjectBody(JsonRequest(type, R"({"a":1})"));
    ASSERT_TRUE(std::holds_alternative<json>(p)) << type;
    EXPECT_EQ(std::get<json>(p)["a"], 1);
  }
}

TEST(ParseJsonObjectBodyTest, RefusesOthers) {
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded",
                           "application/jsonp", "application/+json", "json"}) {
    EXPECT_EQ(ProblemField(ParseJsonObjectBody(JsonRequest(type, "{}")), 415), "Content-Type")
        << type;
  }
  EXPECT_EQ(ProblemField(ParseJsonObjectBody(JsonRequest("application/json", "{")), 400), "body");
  EXPECT_EQ(ProblemField(ParseJsonObjectBody(JsonRequest("application/json", "")), 400), "body");
  EXPECT_EQ(ProblemField(ParseJsonObjectBody(JsonRequest("application/json", "[1]")), 422),
            "<none>");
}

TEST(ParseEmptyBodyTest, NothingOrEmptyObject) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(ParseEmptyBody(JsonRequest("", ""))));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      ParseEmptyBody(JsonRequest("application/json", "{}"))));
  EXPECT_EQ(ProblemField(ParseEmptyBody(JsonRequest("application/json", R"({"force":true})")), 422),
            "force");
  EXPECT_EQ(ProblemField(ParseEmptyBody(JsonRequest("text/plain", "x")), 415), "Content-Type");
}

TEST(ParseIfMatchHeaderTest, AbsentValidMalformed) {
  http::Request r;
  EXPECT_EQ(std::get<std::optional<int64_t>>(ParseIfMatchHeader(r)), std::nullopt);
  r.headers.Set("If-Match", "\"7\"");
  EXPECT_EQ(std::get<std::optional<int64_t>>(ParseIfMatchHeader(r)), 7);
  r.headers.Set("If-Match", "7");
  EXPECT_EQ(ProblemField(ParseIfMatchHeader(r), 400), "If-Match");
}

}  // namespace
}  // namespace novacron::api
