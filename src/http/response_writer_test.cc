#include "http/response_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

namespace novacron::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

ResponseHeadOptions Options() {
  ResponseHeadOptions options;
  options.server_line = "Server: novacron\r\n";
  return options;
}

TEST(ResponseWriterTest, SerializesStatusFramingAndHeaders) {
  Response response = Response::Json(201, "{}");
  response.headers.Add("ETag", "\"7\"");
  std::string head;
  ASSERT_TRUE(SerializeResponseHead(response, Options(), head).ok());
  EXPECT_THAT(head, StartsWith("HTTP/1.1 201 Created\r\nServer: novacron\r\nDate: "));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Length: 2\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Type: application/json\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nETag: \"7\"\r\n"));
  EXPECT_THAT(head, Not(HasSubstr("Connection")));
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
}

TEST(ResponseWriterTest, ConnectionHeaderFollowsKeepAliveAndVersion) {
  Response response = Response::Text(200, "ok");
  std::string head;
  ResponseHeadOptions options = Options();
  options.keep_alive = false;
  ASSERT_TRUE(SerializeResponseHead(response, options, head).ok());
  EXPECT_THAT(head, HasSubstr("\r\nConnection: close\r\n"));
  options.keep_alive = true;
  options.http10 = true;
  ASSERT_TRUE(SerializeResponseHead(response, options, head).ok());
  EXPECT_THAT(head, HasSubstr("\r\nConnection: keep-alive\r\n"));
}

TEST(ResponseWriterTest, ServerOwnsFramingHeaders) {
  Response response = Response::Text(200, "hello");
  response.headers.Add("Content-Length", "999");
  response.headers.Add("Transfer-Encoding", "chunked");
  response.headers.Add("Connection", "keep-alive");
  std::string head;
  ASSERT_TRUE(SerializeResponseHead(response, Options(), head).ok());
  EXPECT_THAT(head, HasSubstr("Content-Length: 5\r\n"));
  EXPECT_THAT(head, Not(HasSubstr("999")));
  EXPECT_THAT(head, Not(HasSubstr("chunked")));
  EXPECT_THAT(head, Not(HasSubstr("Connection")));
}

TEST(ResponseWriterTest, NoContentHasNoLengthAndNoBody) {
  Response response;
  response.status = 204;
  std::string head;
  ASSERT_TRUE(SerializeResponseHead(response, Options(), head).ok());
  EXPECT_THAT(head, Not(HasSubstr("Content-Length")));
  EXPECT_FALSE(ResponseCarriesBody(204, false));
  EXPECT_FALSE(ResponseCarriesBody(304, false));
  EXPECT_FALSE(ResponseCarriesBody(200, true));
  EXPECT_TRUE(ResponseCarriesBody(200, false));
}

TEST(ResponseWriterTest, RejectsResponseSplittingAndBadStatus) {
  std::string head;
  Response split = Response::Text(200, "x");
  split.headers.Add("X-Evil", "a\r\nSet-Cookie: stolen=1");
  Status status = SerializeResponseHead(split, Options(), head);
  EXPECT_EQ(status.code(), ErrorCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("X-Evil"));

  Response bad_name = Response::Text(200, "x");
  bad_name.headers.Add("Bad Name", "v");
  EXPECT_FALSE(SerializeResponseHead(bad_name, Options(), head).ok());

  Response interim;
  interim.status = 101;
  EXPECT_FALSE(SerializeResponseHead(interim, Options(), head).ok());
}

TEST(ResponseWriterTest, DateIsImfFixdate) {
  std::string date(HttpDateNow());
  EXPECT_TRUE(std::regex_match(
      date,
      std::regex(
          R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)")))
      << date;
}

}  // namespace
}  // namespace novacron::http
