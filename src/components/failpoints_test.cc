#include "components/failpoints.h"

#include <gtest/gtest.h>

namespace novacron::components {
namespace {

TEST(FailpointsTest, ParsesEveryAction) {
  auto fps = Failpoints::Parse("environment=delay(20ms); database=fail(2);api=fail;cache=hang");
  ASSERT_TRUE(fps.ok()) << fps.status().ToString();
  ASSERT_EQ(fps->points().size(), 4u);
  EXPECT_EQ(fps->points().at("environment").kind, Failpoint::Kind::kDelay);
  EXPECT_EQ(fps->points().at("environment").delay, std::chrono::milliseconds(20));
  EXPECT_EQ(fps->points().at("database").times, 2);
  EXPECT_EQ(fps->points().at("api").kind, Failpoint::Kind::kFail);
  EXPECT_EQ(fps->points().at("cache").kind, Failpoint::Kind::kHang);
}

TEST(FailpointsTest, RejectsGarbageNamingTheEntry) {
  for (const char* bad :
       {"api", "api=explode", "api=delay(forever)", "api=fail(x)", "api=delay(1s"}) {
    auto fps = Failpoints::Parse(bad);
    ASSERT_FALSE(fps.ok()) << bad;
    EXPECT_NE(fps.status().message().find(bad), std::string::npos) << fps.status().message();
  }
}

TEST(FailpointsTest, FailTimesIsRetriableThenProceeds) {
  auto fps = Failpoints::Parse("database=fail(2)");
  ASSERT_TRUE(fps.ok());
  std::stop_source stop;
  Status first = fps->Apply("database", 1, stop.get_token());
  EXPECT_EQ(first.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(first.retriable());
  EXPECT_FALSE(fps->Apply("database", 2, stop.get_token()).ok());
  EXPECT_TRUE(fps->Apply("database", 3, stop.get_token()).ok());
  EXPECT_TRUE(fps->Apply("api", 1, stop.get_token()).ok());
}

TEST(FailpointsTest, FailIsNotRetriable) {
  auto fps = Failpoints::Parse("api=fail");
  ASSERT_TRUE(fps.ok());
  std::stop_source stop;
  Status s = fps->Apply("api", 5, stop.get_token());
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.retriable());
}

TEST(FailpointsTest, HangReturnsWhenCancelled) {
  auto fps = Failpoints::Parse("api=hang");
  ASSERT_TRUE(fps.ok());
  std::stop_source stop;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop.request_stop();
  });
  EXPECT_EQ(fps->Apply("api", 1, stop.get_token()).code(), ErrorCode::kCancelled);
  canceller.join();
}

}  // namespace
}  // namespace novacron::components
