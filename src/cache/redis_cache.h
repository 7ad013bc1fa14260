// Cache on a Redis server: keys under a prefix ("novacron:") to share a Redis politely, values
// with a TTL (SET PX). One connection under a mutex; after a failure it is dropped and
// reconnected on a later call, no sooner than an exponential backoff allows.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "cache/cache.h"
#include "cache/cache_counters.h"
#include "cache/redis_connection.h"
#include "cache/redis_url.h"
#include "common/status.h"

namespace novacron::cache {

struct RedisCacheOptions {
  RedisEndpoint endpoint{};
  std::string key_prefix = "novacron:";
  RedisTimeouts timeouts{};
  std::chrono::milliseconds reconnect_backoff_initial{100};
  std::chrono::milliseconds reconnect_backoff_max{5000};
};

class RedisCache final : public Cache {
 public:
  // Connects lazily, on the first call.
  explicit RedisCache(RedisCacheOptions options);
  ~RedisCache() override;

  // Cache: a Redis failure is a miss (or a skipped write) and counts as an error.
  std::optional<std::string> Get(std::string_view key) override;
  void Set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) override;
  void Erase(std::string_view key) override;
  void Clear(std::string_view prefix = {}) override;
  std::string_view backend() const override { return "redis"; }
  CacheStats stats() const override { return counters_.Snapshot(); }
  // Degraded while the last attempt to reach Redis failed.
  CacheHealth Health() const override;

  // The same operations with their errors, for callers that act on them (FallbackCache). They
  // do not touch stats().
  Result<std::optional<std::string>> TryGet(std::string_view key);
  Status TrySet(std::string_view key, std::string_view value, std::chrono::milliseconds ttl);
  Status TryErase(std::string_view key);
  Status TryClear(std::string_view prefix);
  // Connects now if needed, backoff or not, and PINGs.
  Status Probe();

  const RedisEndpoint& endpoint() const { return options_.endpoint; }

 private:
  template <typename Op>
  auto WithConnection(bool ignore_backoff, Op op) -> decltype(op(std::declval<RedisConnection&>()));
  Status ConnectLocked(bool ignore_backoff);
  void NoteFailureLocked(const Status& error);
  std::string PrefixedKey(std::string_view key) const;

  const RedisCacheOptions options_;
  CacheCounters counters_;

  mutable std::mutex mu_;
  std::unique_ptr<RedisConnection> connection_;
  Status last_error_;  // OK once a call succeeds
  std::chrono::steady_clock::time_point next_connect_{};
  std::chrono::milliseconds backoff_;
};

}  // namespace novacron::cache
