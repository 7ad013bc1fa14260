#include "cache/fallback_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "cache/open_cache.h"
#include "cache/wait_until_for_test.h"
#include "servers/redis_server.h"
#include "servers/server_util.h"

namespace novacron::cache {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RedisServer;

CacheOptions RedisOptions(std::string url) {
  return {.backend = CacheBackendKind::kRedis,
          .redis_url = std::move(url),
          .max_entries = 100,
          .retry_backoff_initial = milliseconds(10),
          .retry_backoff_max = milliseconds(100)};
}

std::unique_ptr<Cache> MustOpen(const CacheOptions& options) {
  auto cache = OpenCache(options);
  EXPECT_TRUE(cache.ok()) << cache.status().ToString();
  return cache.ok() ? std::move(cache).value() : nullptr;
}

std::string SkipReason() { return RedisServer::SkipReason(); }

TEST(OpenCacheTest, MemoryBackend) {
  auto cache = MustOpen({.backend = CacheBackendKind::kMemory, .max_entries = 2});
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->backend(), "memory");
  cache->Set("a", "1", seconds(60));
  cache->Set("b", "2", seconds(60));
  cache->Set("c", "3", seconds(60));
  EXPECT_EQ(cache->Get("a"), std::nullopt);
  EXPECT_EQ(cache->stats().evictions, 1u);
}

TEST(OpenCacheTest, MalformedUrlIsTheOnlyOpenError) {
  auto cache = OpenCache(RedisOptions("redis://:topsecret@localhost:notaport"));
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(cache.status().message().find("storage.redis_url"), std::string::npos);
  EXPECT_EQ(cache.status().message().find("topsecret"), std::string::npos);
}

TEST(OpenCacheTest, MaxEntriesMustBePositive) {
  auto cache = OpenCache({.backend = CacheBackendKind::kMemory, .max_entries = 0});
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(cache.status().message().find("storage.cache_max_entries"), std::string::npos);
}

TEST(OpenCacheTest, RedisDownAtOpenServesFromMemoryAndReportsDegraded) {
  int port = testing::PickFreePort();  // nothing listens there
  auto cache = MustOpen(RedisOptions("redis://:pw-not-shown@127.0.0.1:" + std::to_string(port)));
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->backend(), "redis->memory");
  CacheHealth health = cache->Health();
  EXPECT_TRUE(health.degraded);
  EXPECT_EQ(health.detail, "redis 127.0.0.1:" + std::to_string(port) +
                               " unreachable (connection refused); using in-memory cache");
  cache->Set("vm:1", "one", seconds(60));
  EXPECT_EQ(cache->Get("vm:1"), "one");
  cache->Erase("vm:1");
  EXPECT_EQ(cache->Get("vm:1"), std::nullopt);
  EXPECT_GE(cache->stats().errors, 1u);
}

TEST(OpenCacheTest, RedisComingUpLaterIsSwitchedToWithoutStaleMemory) {
  if (std::string reason = SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  int port = testing::PickFreePort();
  auto cache = MustOpen(RedisOptions("redis://127.0.0.1:" + std::to_string(port)));
  ASSERT_NE(cache, nullptr);
  ASSERT_EQ(cache->backend(), "redis->memory");
  cache->Set("vm:1", "from memory", seconds(60));

  RedisServer server(RedisServer::Options{.port = port});
  ASSERT_TRUE(server.Start().ok());
  EXPECT_TRUE(WaitUntil([&] { return cache->backend() == "redis"; }));
  EXPECT_FALSE(cache->Health().degraded);
  EXPECT_EQ(cache->Get("vm:1"), std::nullopt);
  cache->Set("vm:1", "from redis", seconds(60));
  EXPECT_EQ(cache->Get("vm:1"), "from redis");
}

class FallbackCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    ASSERT_TRUE(server_.Start().ok());
    CacheOptions options = RedisOptions(server_.Url());
    options.redis_timeouts.command = milliseconds(100);
    cache_ = MustOpen(options);
    ASSERT_NE(cache_, nullptr);
    ASSERT_EQ(cache_->backend(), "redis");
  }

  RedisServer server_;
  std::unique_ptr<Cache> cache_;
};

TEST_F(FallbackCacheTest, HealthyRedisIsUsed) {
  cache_->Set("vm:1", "one", seconds(60));
  EXPECT_EQ(cache_->Get("vm:1"), "one");
  EXPECT_FALSE(cache_->Health().degraded);
  // The value is in Redis, not in this process: a second cache sees it.
  auto other = MustOpen(RedisOptions(server_.Url()));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->Get("vm:1"), "one");
}

TEST_F(FallbackCacheTest, KilledRedisDegradesToMemoryAndRecoversAfterRestart) {
  cache_->Set("vm:1", "one", seconds(60));
  server_.Kill();

  EXPECT_EQ(cache_->Get("vm:1"), std::nullopt);
  EXPECT_EQ(cache_->backend(), "redis->memory");
  CacheHealth health = cache_->Health();
  EXPECT_TRUE(health.degraded);
  EXPECT_NE(health.detail.find("using in-memory cache"), std::string::npos) << health.detail;
  cache_->Set("vm:2", "two", seconds(60));
  EXPECT_EQ(cache_->Get("vm:2"), "two");  // memory serves meanwhile

  ASSERT_TRUE(server_.Restart().ok());
  EXPECT_TRUE(WaitUntil([&] { return cache_->backend() == "redis"; }));
  EXPECT_FALSE(cache_->Health().degraded);
  EXPECT_EQ(cache_->Get("vm:2"), std::nullopt);  // memory was dropped on the way back
  cache_->Set("vm:3", "three", seconds(60));
  EXPECT_EQ(cache_->Get("vm:3"), "three");
}

TEST_F(FallbackCacheTest, WritesThatFailOnRedisLandInMemory) {
  server_.Kill();
  cache_->Set("vm:1", "one", seconds(60));  // fails on Redis, retried on memory
  EXPECT_EQ(cache_->backend(), "redis->memory");
  EXPECT_EQ(cache_->Get("vm:1"), "one");
}

// Redis keeps its data through a stall, and the erase during the stall reached only memory:
// switching back must not serve the value it invalidated.
TEST_F(FallbackCacheTest, ValuesInvalidatedDuringAnOutageAreNotServedAfterIt) {
  cache_->Set("vm:1", "version 1", seconds(600));
  server_.Pause();
  // A command sent to the stalled server still runs once it resumes; this one only trips the
  // switch, so the erase after it never reaches Redis.
  EXPECT_EQ(cache_->Get("vm:other"), std::nullopt);
  EXPECT_EQ(cache_->backend(), "redis->memory");
  cache_->Erase("vm:1");
  server_.Resume();
  EXPECT_TRUE(WaitUntil([&] { return cache_->backend() == "redis"; }));
  EXPECT_EQ(cache_->Get("vm:1"), std::nullopt);
}

TEST_F(FallbackCacheTest, ConcurrentCallersThroughAnOutage) {
  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> gets{0};
  std::atomic<uint64_t> wrong_values{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        std::string key = "vm:" + std::to_string((i * 7 + t) % 50);
        switch (i % 3) {
          case 0:
            cache_->Set(key, "value of " + key, seconds(60));
            break;
          case 1: {
            gets.fetch_add(1);
            auto value = cache_->Get(key);
            if (value && *value != "value of " + key) wrong_values.fetch_add(1);
            break;
          }
          default:
            cache_->Erase(key);
        }
      }
    });
  }
  EXPECT_TRUE(WaitUntil([&] { return gets.load() > 200; }));
  server_.Kill();
  EXPECT_TRUE(WaitUntil([&] { return cache_->backend() == "redis->memory"; }));
  uint64_t gets_while_down = gets.load();
  EXPECT_TRUE(WaitUntil([&] { return gets.load() > gets_while_down + 200; }));
  ASSERT_TRUE(server_.Restart().ok());
  EXPECT_TRUE(WaitUntil([&] { return cache_->backend() == "redis"; }));
  uint64_t gets_after = gets.load();
  EXPECT_TRUE(WaitUntil([&] { return gets.load() > gets_after + 200; }));
  stop.store(true);
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(wrong_values.load(), 0u);
  CacheStats stats = cache_->stats();
  EXPECT_EQ(stats.hits + stats.misses, gets.load());
  EXPECT_GE(stats.errors, 1u);
}

}  // namespace
}  // namespace novacron::cache
