#include "http/headers.h"

#include <gtest/gtest.h>

namespace novacron::http {
namespace {

TEST(HeadersTest, LookupIgnoresCase) {
  Headers headers;
  headers.Add("If-Match", "\"v3\"");
  EXPECT_EQ(headers.Get("if-match"), "\"v3\"");
  EXPECT_EQ(headers.Get("IF-MATCH"), "\"v3\"");
  EXPECT_TRUE(headers.Has("If-match"));
  EXPECT_EQ(headers.Get("If-None-Match"), "");
  EXPECT_EQ(headers.Find("If-None-Match"), nullptr);
}

TEST(HeadersTest, AddKeepsDuplicatesAndOrderSetReplaces) {
  Headers headers{{"Set-Cookie", "a=1"}, {"X", "1"}, {"set-cookie", "b=2"}};
  EXPECT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers.Get("Set-Cookie"), "a=1");  // first one
  headers.Set("SET-COOKIE", "c=3");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers.begin()->first, "X");
  EXPECT_EQ(headers.Get("set-cookie"), "c=3");
  EXPECT_EQ(headers.Remove("x"), 1u);
  EXPECT_EQ(headers.Remove("x"), 0u);
  EXPECT_EQ(headers.size(), 1u);
}

TEST(HeadersTest, ClearReusesStorageAndForgetsFields) {
  Headers headers;
  headers.Add("A", std::string(100, 'a'));
  const char* storage = headers.begin()->second.data();
  headers.Clear();
  EXPECT_TRUE(headers.empty());
  EXPECT_FALSE(headers.Has("A"));
  headers.Add("B", "short value that is longer than sso buffer");
  EXPECT_EQ(headers.begin()->second.data(), storage);  // no new allocation
  EXPECT_EQ(headers.Get("B"), "short value that is longer than sso buffer");
  EXPECT_FALSE(headers.Has("A"));
}

TEST(HeadersTest, EqualsIgnoreCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "Content-Typ"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
}

}  // namespace
}  // namespace novacron::http
