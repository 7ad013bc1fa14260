#include "http/uri.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "http/request.h"

namespace novacron::http {
namespace {

std::string PercentEncodeAll(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 0xF]);
  }
  return out;
}

TEST(PercentDecodeTest, DecodesEscapes) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a%20b%2Fc%2fd", out));
  EXPECT_EQ(out, "a b/c/d");
  ASSERT_TRUE(PercentDecode("a+b", out));
  EXPECT_EQ(out, "a+b");
  ASSERT_TRUE(PercentDecode("a+b", out, /*plus_is_space=*/true));
  EXPECT_EQ(out, "a b");
  ASSERT_TRUE(PercentDecode("", out));
  EXPECT_EQ(out, "");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  std::string out;
  EXPECT_FALSE(PercentDecode("%", out));
  EXPECT_FALSE(PercentDecode("abc%4", out));
  EXPECT_FALSE(PercentDecode("%zz", out));
  EXPECT_FALSE(PercentDecode("%g0", out));
}

RC_GTEST_PROP(PercentDecodeProperty, DecodesWhatWasEncoded, (const std::string& s)) {
  std::string out;
  RC_ASSERT(PercentDecode(PercentEncodeAll(s), out));
  RC_ASSERT(out == s);
}

TEST(QueryParamTest, FindsAndDecodes) {
  Request request;
  request.query = "limit=10&name=web%20server&flag&q=a+b&limit=20";
  EXPECT_EQ(request.QueryParam("limit"), "10");  // the first one
  EXPECT_EQ(request.QueryParam("name"), "web server");
  EXPECT_EQ(request.QueryParam("flag"), "");
  EXPECT_EQ(request.QueryParam("q"), "a b");
  EXPECT_EQ(request.QueryParam("missing"), std::nullopt);
  EXPECT_EQ(request.QueryParam("lim"), std::nullopt);
}

TEST(QueryParamTest, EncodedNamesAndMalformedValues) {
  EXPECT_EQ(FindQueryParam("sort%5Fby=name", "sort_by"), "name");
  EXPECT_EQ(FindQueryParam("a=%zz&a=1", "a"), std::nullopt);
  EXPECT_EQ(FindQueryParam("&&a=1&&", "a"), "1");
  EXPECT_EQ(FindQueryParam("", "a"), std::nullopt);
}

}  // namespace
}  // namespace novacron::http
