// In-process cache: least-recently-used eviction at max entries, and a TTL per entry.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cache/cache.h"
#include "cache/cache_counters.h"

namespace novacron::cache {

using CacheClock = std::chrono::steady_clock;

struct MemoryCacheOptions {
  int max_entries = 10000;  // at least 1
  // Tests inject a fake clock to expire entries without sleeping.
  std::function<CacheClock::time_point()> now = [] { return CacheClock::now(); };
};

class MemoryCache final : public Cache {
 public:
  explicit MemoryCache(MemoryCacheOptions options = {});

  std::optional<std::string> Get(std::string_view key) override;
  void Set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) override;
  void Erase(std::string_view key) override;
  void Clear(std::string_view prefix = {}) override;

  std::string_view backend() const override { return "memory"; }
  CacheStats stats() const override { return counters_.Snapshot(); }

  // Entries held, expired ones included until they are found or evicted.
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    std::string value;
    CacheClock::time_point expires_at;
  };
  using EntryList = std::list<Entry>;

  void EraseLocked(EntryList::iterator it);

  const size_t max_entries_;
  const std::function<CacheClock::time_point()> now_;
  CacheCounters counters_;

  mutable std::mutex mu_;
  EntryList entries_;  // most recently used first
  std::unordered_map<std::string, EntryList::iterator> index_;
};

}  // namespace novacron::cache
