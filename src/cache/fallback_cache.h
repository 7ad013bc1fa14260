// Redis with an in-memory stand-in: while Redis is unreachable, a MemoryCache serves and the
// cache reports degraded; a background thread keeps probing Redis with backoff and switches
// back once it answers.
//
// Staleness is what a cache must not get wrong, so:
// - Redis is flushed (our key prefix) before switching back: an Erase during the outage reached
//   only memory, and Redis may still hold the value it invalidated.
// - Memory is cleared on every switch, so it never serves what it held in an earlier outage.
// - Operations hold a shared lock across "which backend" and the call; switches take it
//   exclusively, so no write lands in a backend after the switch away from it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "cache/cache.h"
#include "cache/cache_counters.h"
#include "cache/memory_cache.h"
#include "cache/redis_cache.h"

namespace novacron::cache {

struct FallbackOptions {
  std::chrono::milliseconds probe_backoff_initial{100};
  std::chrono::milliseconds probe_backoff_max{5000};
};

class FallbackCache final : public Cache {
 public:
  // Probes Redis once, synchronously; starts degraded if it does not answer.
  FallbackCache(std::unique_ptr<RedisCache> redis, std::unique_ptr<MemoryCache> memory,
                FallbackOptions options = {});
  ~FallbackCache() override;
  FallbackCache(const FallbackCache&) = delete;
  FallbackCache& operator=(const FallbackCache&) = delete;

  std::optional<std::string> Get(std::string_view key) override;
  void Set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) override;
  void Erase(std::string_view key) override;
  void Clear(std::string_view prefix = {}) override;

  // "redis", or "redis->memory" while degraded.
  std::string_view backend() const override;
  // hits and misses as callers saw them; evictions from memory; errors are Redis failures.
  CacheStats stats() const override;
  // Degraded: "redis 127.0.0.1:6390 unreachable (connection refused); using in-memory cache".
  CacheHealth Health() const override;

  bool degraded() const { return degraded_.load(std::memory_order_acquire); }

 private:
  void EnterDegraded(const Status& error);
  // Probes Redis and, when it answers, flushes it and switches back. Returns whether it did.
  bool TryRecover();
  void ProbeLoop();

  const std::unique_ptr<RedisCache> redis_;
  const std::unique_ptr<MemoryCache> memory_;
  const FallbackOptions options_;
  CacheCounters counters_;

  // Shared by operations, exclusive for switching backends.
  mutable std::shared_mutex mode_mu_;
  std::atomic<bool> degraded_{false};

  mutable std::mutex detail_mu_;
  std::string degraded_detail_;

  std::mutex probe_mu_;
  std::condition_variable probe_cv_;
  bool stopping_ = false;  // guarded by probe_mu_
  std::thread prober_;
};

}  // namespace novacron::cache
