#include "common/status.h"

#include <gtest/gtest.h>

namespace novacron {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, WrapKeepsCodeAndChain) {
  Status s = Unavailable("connection refused").Wrap("database: open");
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(s.retriable());
  EXPECT_EQ(s.ToString(), "database: open: connection refused");
  ASSERT_NE(s.cause(), nullptr);
  EXPECT_EQ(s.cause()->message(), "connection refused");
}

TEST(StatusTest, WithCauseAppendsAtEndOfChain) {
  Status s = Internal("a").WithCause(Internal("b")).WithCause(Internal("c"));
  EXPECT_EQ(s.ToString(), "a: b: c");
  EXPECT_FALSE(s.retriable());
}

TEST(ResultTest, ValueAndError) {
  Result<int> r = 3;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
  Result<int> e = NotFound("x");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kNotFound);
  Result<int> bad = Status();
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace novacron
