// The one way the daemon opens its cache, from the storage.* settings.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cache/cache.h"
#include "cache/redis_connection.h"
#include "common/status.h"

namespace novacron::cache {

enum class CacheBackendKind { kMemory, kRedis };

struct CacheOptions {
  CacheBackendKind backend = CacheBackendKind::kMemory;  // storage.cache_backend
  std::string redis_url{};                               // storage.redis_url (secret)
  int max_entries = 10000;  // storage.cache_max_entries; also bounds the stand-in for Redis
  std::string key_prefix = "novacron:";
  RedisTimeouts redis_timeouts{};
  // Between attempts to reach Redis again while degraded.
  std::chrono::milliseconds retry_backoff_initial{100};
  std::chrono::milliseconds retry_backoff_max{5000};
};

// Only bad settings are errors (kInvalidArgument naming the key): with Redis down, the cache
// opens degraded on memory and switches to Redis once it answers.
Result<std::unique_ptr<Cache>> OpenCache(const CacheOptions& options);

}  // namespace novacron::cache
