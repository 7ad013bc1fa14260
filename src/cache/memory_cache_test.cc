#include "cache/memory_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace novacron::cache {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A clock that moves only when the test says so.
struct FakeClock {
  std::shared_ptr<CacheClock::time_point> now =
      std::make_shared<CacheClock::time_point>(CacheClock::time_point() + seconds(1000));
  void Advance(CacheClock::duration d) { *now += d; }
  std::function<CacheClock::time_point()> Function() const {
    return [now = now] { return *now; };
  }
};

TEST(MemoryCacheTest, GetReturnsWhatSetStoredAndCountsHitsAndMisses) {
  MemoryCache cache;
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  cache.Set("vm:1", R"({"id":"1"})", seconds(60));
  EXPECT_EQ(cache.Get("vm:1"), R"({"id":"1"})");
  cache.Set("vm:1", R"({"id":"1","v":2})", seconds(60));
  EXPECT_EQ(cache.Get("vm:1"), R"({"id":"1","v":2})");
  CacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.errors, 0u);
  EXPECT_EQ(cache.backend(), "memory");
  EXPECT_FALSE(cache.Health().degraded);
}

TEST(MemoryCacheTest, EraseRemovesOnlyThatKey) {
  MemoryCache cache;
  cache.Set("vm:1", "a", seconds(60));
  cache.Set("vm:2", "b", seconds(60));
  cache.Erase("vm:1");
  cache.Erase("vm:absent");
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  EXPECT_EQ(cache.Get("vm:2"), "b");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(MemoryCacheTest, EvictsTheLeastRecentlyUsedAtMaxEntries) {
  MemoryCache cache({.max_entries = 3});
  cache.Set("a", "1", seconds(60));
  cache.Set("b", "2", seconds(60));
  cache.Set("c", "3", seconds(60));
  ASSERT_EQ(cache.Get("a"), "1");  // a is now the most recent; b the least
  cache.Set("d", "4", seconds(60));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.Get("b"), std::nullopt);
  EXPECT_EQ(cache.Get("a"), "1");
  EXPECT_EQ(cache.Get("c"), "3");
  EXPECT_EQ(cache.Get("d"), "4");
  EXPECT_EQ(cache.stats().evictions, 1u);
}

TEST(MemoryCacheTest, OverwritingAKeyMakesItRecentWithoutEvicting) {
  MemoryCache cache({.max_entries = 2});
  cache.Set("a", "1", seconds(60));
  cache.Set("b", "2", seconds(60));
  cache.Set("a", "1b", seconds(60));  // a recent; b least recent
  cache.Set("c", "3", seconds(60));
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.Get("b"), std::nullopt);
  EXPECT_EQ(cache.Get("a"), "1b");
  EXPECT_EQ(cache.Get("c"), "3");
}

TEST(MemoryCacheTest, EntriesExpireAtTheirTtl) {
  FakeClock clock;
  MemoryCache cache({.max_entries = 10, .now = clock.Function()});
  cache.Set("short", "s", seconds(10));
  cache.Set("long", "l", seconds(60));
  clock.Advance(seconds(9));
  EXPECT_EQ(cache.Get("short"), "s");
  clock.Advance(seconds(1));
  EXPECT_EQ(cache.Get("short"), std::nullopt);
  EXPECT_EQ(cache.Get("long"), "l");
  EXPECT_EQ(cache.stats().expirations, 1u);
  EXPECT_EQ(cache.size(), 1u);  // the expired entry is gone, not just hidden
}

TEST(MemoryCacheTest, SettingAgainRestartsTheTtl) {
  FakeClock clock;
  MemoryCache cache({.max_entries = 10, .now = clock.Function()});
  cache.Set("k", "v1", seconds(10));
  clock.Advance(seconds(8));
  cache.Set("k", "v2", seconds(10));
  clock.Advance(seconds(8));
  EXPECT_EQ(cache.Get("k"), "v2");
  clock.Advance(seconds(2));
  EXPECT_EQ(cache.Get("k"), std::nullopt);
}

TEST(MemoryCacheTest, ReadingDoesNotExtendTheTtl) {
  FakeClock clock;
  MemoryCache cache({.max_entries = 10, .now = clock.Function()});
  cache.Set("k", "v", seconds(10));
  clock.Advance(seconds(5));
  ASSERT_EQ(cache.Get("k"), "v");
  clock.Advance(seconds(5));
  EXPECT_EQ(cache.Get("k"), std::nullopt);
}

TEST(MemoryCacheTest, NonPositiveTtlErasesInsteadOfCachingForever) {
  MemoryCache cache;
  cache.Set("k", "old", seconds(60));
  cache.Set("k", "new", milliseconds(0));
  EXPECT_EQ(cache.Get("k"), std::nullopt);
  cache.Set("j", "v", milliseconds(-5));
  EXPECT_EQ(cache.Get("j"), std::nullopt);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(MemoryCacheTest, ClearWithPrefixKeepsOtherKeys) {
  MemoryCache cache;
  cache.Set("vm:1", "a", seconds(60));
  cache.Set("vm:2", "b", seconds(60));
  cache.Set("node:1", "c", seconds(60));
  cache.Clear("vm:");
  EXPECT_EQ(cache.Get("vm:1"), std::nullopt);
  EXPECT_EQ(cache.Get("vm:2"), std::nullopt);
  EXPECT_EQ(cache.Get("node:1"), "c");
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(MemoryCacheTest, MaxEntriesBelowOneHoldsOneEntry) {
  MemoryCache cache({.max_entries = 0});
  cache.Set("a", "1", seconds(60));
  cache.Set("b", "2", seconds(60));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get("b"), "2");
}

TEST(MemoryCacheTest, ConcurrentCallersKeepTheCacheConsistent) {
  constexpr int kThreads = 4;
  constexpr int kOpsPerThread = 20000;
  constexpr int kMaxEntries = 64;
  MemoryCache cache({.max_entries = kMaxEntries});
  std::atomic<uint64_t> gets{0};
  std::atomic<uint64_t> wrong_values{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      uint32_t state = 12345u + static_cast<uint32_t>(t);
      for (int i = 0; i < kOpsPerThread; ++i) {
        state = state * 1664525u + 1013904223u;  // LCG: cheap and deterministic per thread
        std::string key = "vm:" + std::to_string((state >> 8) % 200);
        switch ((state >> 20) % 4) {
          case 0:
          case 1: {
            gets.fetch_add(1);
            auto value = cache.Get(key);
            if (value && *value != "value of " + key) wrong_values.fetch_add(1);
            break;
          }
          case 2:
            cache.Set(key, "value of " + key, std::chrono::seconds(60));
            break;
          default:
            cache.Erase(key);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CacheStats stats = cache.stats();
  EXPECT_EQ(wrong_values.load(), 0u);
  EXPECT_EQ(stats.hits + stats.misses, gets.load());
  EXPECT_LE(cache.size(), static_cast<size_t>(kMaxEntries));
  EXPECT_GT(stats.evictions, 0u);
}

}  // namespace
}  // namespace novacron::cache
