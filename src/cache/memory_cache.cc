#include "cache/memory_cache.h"

#include <algorithm>

namespace novacron::cache {

MemoryCache::MemoryCache(MemoryCacheOptions options)
    : max_entries_(static_cast<size_t>(std::max(options.max_entries, 1))),
      now_(options.now ? std::move(options.now) : [] { return CacheClock::now(); }) {}

std::optional<std::string> MemoryCache::Get(std::string_view key) {
  std::lock_guard lock(mu_);
  auto found = index_.find(std::string(key));
  if (found == index_.end()) {
    counters_.Miss();
    return std::nullopt;
  }
  auto it = found->second;
  if (now_() >= it->expires_at) {
    EraseLocked(it);
    counters_.Expiration();
    counters_.Miss();
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, it);
  counters_.Hit();
  return it->value;
}

void MemoryCache::Set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) {
  if (ttl <= std::chrono::milliseconds::zero()) {
    Erase(key);
    return;
  }
  std::lock_guard lock(mu_);
  CacheClock::time_point expires_at = now_() + ttl;
  auto found = index_.find(std::string(key));
  if (found != index_.end()) {
    auto it = found->second;
    it->value.assign(value);
    it->expires_at = expires_at;
    entries_.splice(entries_.begin(), entries_, it);
    return;
  }
  if (entries_.size() >= max_entries_) {
    EraseLocked(std::prev(entries_.end()));
    counters_.Eviction();
  }
  entries_.push_front(
      Entry{.key = std::string(key), .value = std::string(value), .expires_at = expires_at});
  index_.emplace(entries_.front().key, entries_.begin());
}

void MemoryCache::Erase(std::string_view key) {
  std::lock_guard lock(mu_);
  auto found = index_.find(std::string(key));
  if (found != index_.end()) EraseLocked(found->second);
}

void MemoryCache::Clear(std::string_view prefix) {
  std::lock_guard lock(mu_);
  if (prefix.empty()) {
    index_.clear();
    entries_.clear();
    return;
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->key.starts_with(prefix)) EraseLocked(it);
    it = next;
  }
}

size_t MemoryCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void MemoryCache::EraseLocked(EntryList::iterator it) {
  index_.erase(it->key);
  entries_.erase(it);
}

}  // namespace novacron::cache
