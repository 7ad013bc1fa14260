// The cache in front of the state store: VM records by key ("vm:<id>" -> JSON), invalidated on
// every write. A cache never fails its caller: a backend error is a miss, counted in stats().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace novacron::cache {

// Counters for metrics; each is monotonic over the life of the cache.
struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;    // entries dropped to stay within max entries
  uint64_t expirations = 0;  // entries found past their TTL (memory backend)
  uint64_t errors = 0;       // backend failures, each served as a miss or a skipped write
};

struct CacheHealth {
  bool degraded = false;
  std::string detail;  // why, when degraded
};

class Cache {
 public:
  virtual ~Cache() = default;

  virtual std::optional<std::string> Get(std::string_view key) = 0;
  // A non-positive ttl caches nothing: it erases the key, so no older value is served.
  virtual void Set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) = 0;
  virtual void Erase(std::string_view key) = 0;
  // Erases every key that starts with `prefix` (all keys for an empty prefix).
  virtual void Clear(std::string_view prefix = {}) = 0;

  // "memory", "redis", or "redis->memory" while Redis is down and memory serves instead.
  virtual std::string_view backend() const = 0;
  virtual CacheStats stats() const = 0;
  virtual CacheHealth Health() const { return {}; }
};

}  // namespace novacron::cache
