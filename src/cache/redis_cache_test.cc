#include "cache/redis_cache.h"

#include <gtest/gtest.h>

#include "cache/redis_connection.h"
#include "cache/wait_until_for_test.h"
#include "servers/redis_server.h"

namespace novacron::cache {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RedisServer;

RedisEndpoint EndpointOf(const RedisServer& server, int db = 0, std::string password = "") {
  return {.host = server.host(), .port = server.port(), .password = std::move(password), .db = db};
}

RedisCacheOptions OptionsFor(RedisEndpoint endpoint) {
  return {.endpoint = std::move(endpoint),
          .reconnect_backoff_initial = milliseconds(10),
          .reconnect_backoff_max = milliseconds(200)};
}

// Reads keys as stored, prefix and all.
std::unique_ptr<RedisConnection> RawClient(const RedisEndpoint& endpoint) {
  auto connection =
      RedisConnection::Open(endpoint, RedisTimeouts{.connect = seconds(5), .command = seconds(5)});
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return connection.ok() ? std::move(connection).value() : nullptr;
}

class RedisCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = RedisServer::SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    ASSERT_TRUE(server_.Start().ok());
  }

  RedisServer server_;
};

TEST_F(RedisCacheTest, SetGetEraseRoundTrip) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  cache.Set("vm:1", R"({"id":"1"})", seconds(60));
  EXPECT_EQ(cache.Get("vm:1"), R"({"id":"1"})");
  cache.Erase("vm:1");
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  CacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.errors, 0u);
  EXPECT_EQ(cache.backend(), "redis");
  EXPECT_FALSE(cache.Health().degraded);
}

TEST_F(RedisCacheTest, ValuesAreBinarySafe) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  std::string value("a\0b\r\nc", 6);
  cache.Set("bin", value, seconds(60));
  EXPECT_EQ(cache.Get("bin"), value);
}

TEST_F(RedisCacheTest, KeysLiveUnderThePrefixWithATtl) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  cache.Set("vm:7", "seven", seconds(60));
  auto raw = RawClient(EndpointOf(server_));
  ASSERT_NE(raw, nullptr);
  auto stored = raw->Get("novacron:vm:7");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, "seven");
  auto unprefixed = raw->Get("vm:7");
  ASSERT_TRUE(unprefixed.ok());
  EXPECT_EQ(*unprefixed, std::nullopt);
}

TEST_F(RedisCacheTest, EntriesExpireAfterTheirTtl) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  cache.Set("short", "s", milliseconds(50));
  cache.Set("long", "l", seconds(600));
  EXPECT_TRUE(WaitUntil([&] { return !cache.Get("short").has_value(); }));
  EXPECT_EQ(cache.Get("long"), "l");
}

TEST_F(RedisCacheTest, NonPositiveTtlErases) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  cache.Set("k", "old", seconds(60));
  cache.Set("k", "new", milliseconds(0));
  EXPECT_EQ(cache.Get("k"), std::nullopt);
  EXPECT_EQ(cache.stats().errors, 0u);
}

TEST_F(RedisCacheTest, ClearTouchesOnlyOurPrefix) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  for (int i = 0; i < 2500; ++i) cache.Set("vm:" + std::to_string(i), "x", seconds(60));
  cache.Set("node:1", "n", seconds(60));
  cache.Set("vm*literal", "glob chars are literal", seconds(60));
  auto raw = RawClient(EndpointOf(server_));
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->SetWithTtl("other-app:vm:1", "theirs", seconds(60)).ok());

  cache.Clear("vm:");
  EXPECT_EQ(cache.Get("vm:0"), std::nullopt);
  EXPECT_EQ(cache.Get("vm:2499"), std::nullopt);
  EXPECT_EQ(cache.Get("node:1"), "n");
  EXPECT_EQ(cache.Get("vm*literal"), "glob chars are literal");
  cache.Clear();
  EXPECT_EQ(cache.Get("node:1"), std::nullopt);
  EXPECT_EQ(*raw->Get("other-app:vm:1"), "theirs");
  EXPECT_EQ(cache.stats().errors, 0u);
}

TEST_F(RedisCacheTest, DatabasesAreSelectedFromTheEndpoint) {
  RedisCache db0(OptionsFor(EndpointOf(server_, 0)));
  RedisCache db3(OptionsFor(EndpointOf(server_, 3)));
  db0.Set("vm:1", "in db 0", seconds(60));
  db3.Set("vm:1", "in db 3", seconds(60));
  EXPECT_EQ(db0.Get("vm:1"), "in db 0");
  EXPECT_EQ(db3.Get("vm:1"), "in db 3");
  db3.Clear();
  EXPECT_EQ(db0.Get("vm:1"), "in db 0");
}

TEST_F(RedisCacheTest, MissingDatabaseIsAnErrorNamingTheSetting) {
  RedisCache cache(OptionsFor(EndpointOf(server_, 999)));  // default server: 16 databases
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  EXPECT_EQ(cache.stats().errors, 1u);
  CacheHealth health = cache.Health();
  EXPECT_TRUE(health.degraded);
  EXPECT_NE(health.detail.find("SELECT database 999"), std::string::npos) << health.detail;
  EXPECT_NE(health.detail.find("storage.redis_url"), std::string::npos) << health.detail;
}

TEST_F(RedisCacheTest, KilledServerGivesMissesThenRecoversAfterRestart) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  cache.Set("vm:1", "one", seconds(60));
  ASSERT_EQ(cache.Get("vm:1"), "one");

  server_.Kill();
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  cache.Set("vm:2", "two", seconds(60));  // returns: no throw, no hang
  cache.Erase("vm:1");
  EXPECT_GE(cache.stats().errors, 1u);
  CacheHealth health = cache.Health();
  EXPECT_TRUE(health.degraded);
  EXPECT_NE(health.detail.find(EndpointOf(server_).Address()), std::string::npos) << health.detail;

  ASSERT_TRUE(server_.Restart().ok());
  EXPECT_TRUE(WaitUntil([&] {
    cache.Set("vm:3", "three", seconds(60));
    return cache.Get("vm:3") == "three";
  }));
  EXPECT_FALSE(cache.Health().degraded);
}

TEST_F(RedisCacheTest, UnreachableServerFailsFastWithAClearMessage) {
  RedisEndpoint endpoint = EndpointOf(server_);
  server_.Stop();
  RedisCache cache(OptionsFor(endpoint));
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  Status probe = cache.Probe();
  EXPECT_EQ(probe.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(probe.message(), "redis " + endpoint.Address() + " unreachable (connection refused)");
}

TEST_F(RedisCacheTest, StalledServerTimesOutInsteadOfHanging) {
  RedisCacheOptions options = OptionsFor(EndpointOf(server_));
  options.timeouts.command = milliseconds(100);
  RedisCache cache(options);
  cache.Set("vm:1", "one", seconds(60));
  server_.Pause();
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  EXPECT_NE(cache.Health().detail.find("no reply within 100 ms"), std::string::npos)
      << cache.Health().detail;
  server_.Resume();
  // A fresh connection, not the old one with a late reply in its buffer.
  EXPECT_TRUE(WaitUntil([&] { return cache.Get("vm:1") == "one"; }));
}

class RedisAuthTest : public ::testing::Test {
 protected:
  static constexpr const char* kPassword = "correct-horse-battery";

  void SetUp() override {
    if (std::string reason = RedisServer::SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    ASSERT_TRUE(server_.Start().ok());
  }

  RedisServer server_{RedisServer::Options{.password = kPassword}};
};

TEST_F(RedisAuthTest, RightPasswordWorks) {
  RedisCache cache(OptionsFor(EndpointOf(server_, 2, kPassword)));
  cache.Set("vm:1", "one", seconds(60));
  EXPECT_EQ(cache.Get("vm:1"), "one");
  EXPECT_EQ(cache.stats().errors, 0u);
}

TEST_F(RedisAuthTest, WrongPasswordIsReportedWithoutEchoingIt) {
  RedisCache cache(OptionsFor(EndpointOf(server_, 0, "wrong-password-xyz")));
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  Status probe = cache.Probe();
  EXPECT_EQ(probe.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(probe.message().find("rejected the password"), std::string::npos) << probe.message();
  EXPECT_EQ(probe.message().find("wrong-password-xyz"), std::string::npos) << probe.message();
  EXPECT_EQ(probe.message().find(kPassword), std::string::npos) << probe.message();
}

TEST_F(RedisAuthTest, MissingPasswordSaysOneIsRequired) {
  RedisCache cache(OptionsFor(EndpointOf(server_)));
  Status probe = cache.Probe();
  EXPECT_EQ(probe.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(probe.message().find("requires a password"), std::string::npos) << probe.message();
}

}  // namespace
}  // namespace novacron::cache
