// Lock-free counters behind Cache::stats(), shared by the backends.
#pragma once

#include <atomic>
#include <cstdint>

#include "cache/cache.h"

namespace novacron::cache {

class CacheCounters {
 public:
  void Hit() { hits_.fetch_add(1, std::memory_order_relaxed); }
  void Miss() { misses_.fetch_add(1, std::memory_order_relaxed); }
  void Eviction() { evictions_.fetch_add(1, std::memory_order_relaxed); }
  void Expiration() { expirations_.fetch_add(1, std::memory_order_relaxed); }
  void Error() { errors_.fetch_add(1, std::memory_order_relaxed); }

  CacheStats Snapshot() const {
    return {.hits = hits_.load(std::memory_order_relaxed),
            .misses = misses_.load(std::memory_order_relaxed),
            .evictions = evictions_.load(std::memory_order_relaxed),
            .expirations = expirations_.load(std::memory_order_relaxed),
            .errors = errors_.load(std::memory_order_relaxed)};
  }

 private:
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> evictions_{0};
  std::atomic<uint64_t> expirations_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace novacron::cache
