#include "cache/fallback_cache.h"

#include <algorithm>
#include <utility>

namespace novacron::cache {
namespace {

constexpr std::string_view kUsingMemory = "; using in-memory cache";

}  // namespace

FallbackCache::FallbackCache(std::unique_ptr<RedisCache> redis, std::unique_ptr<MemoryCache> memory,
                             FallbackOptions options)
    : redis_(std::move(redis)), memory_(std::move(memory)), options_(options) {
  if (Status probe = redis_->Probe(); !probe.ok()) {
    counters_.Error();
    degraded_.store(true, std::memory_order_release);
    degraded_detail_ = probe.message();
  }
  prober_ = std::thread([this] { ProbeLoop(); });
}

FallbackCache::~FallbackCache() {
  {
    std::lock_guard lock(probe_mu_);
    stopping_ = true;
  }
  probe_cv_.notify_all();
  prober_.join();
}

std::optional<std::string> FallbackCache::Get(std::string_view key) {
  Status failure;
  {
    std::shared_lock lock(mode_mu_);
    if (degraded()) {
      auto value = memory_->Get(key);
      if (value) {
        counters_.Hit();
      } else {
        counters_.Miss();
      }
      return value;
    }
    auto value = redis_->TryGet(key);
    if (value.ok()) {
      if (value->has_value()) {
        counters_.Hit();
      } else {
        counters_.Miss();
      }
      return std::move(value).value();
    }
    failure = value.status();
  }
  EnterDegraded(failure);
  counters_.Miss();
  return std::nullopt;
}

// Writes retry once after a Redis failure, which by then has switched them to memory.
void FallbackCache::Set(std::string_view key, std::string_view value,
                        std::chrono::milliseconds ttl) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Status failure;
    {
      std::shared_lock lock(mode_mu_);
      if (degraded()) {
        memory_->Set(key, value, ttl);
        return;
      }
      failure = redis_->TrySet(key, value, ttl);
      if (failure.ok()) return;
    }
    EnterDegraded(failure);
  }
}

void FallbackCache::Erase(std::string_view key) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Status failure;
    {
      std::shared_lock lock(mode_mu_);
      if (degraded()) {
        memory_->Erase(key);
        return;
      }
      failure = redis_->TryErase(key);
      if (failure.ok()) return;
    }
    EnterDegraded(failure);
  }
}

void FallbackCache::Clear(std::string_view prefix) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Status failure;
    {
      std::shared_lock lock(mode_mu_);
      if (degraded()) {
        memory_->Clear(prefix);
        return;
      }
      failure = redis_->TryClear(prefix);
      if (failure.ok()) return;
    }
    EnterDegraded(failure);
  }
}

std::string_view FallbackCache::backend() const { return degraded() ? "redis->memory" : "redis"; }

CacheStats FallbackCache::stats() const {
  CacheStats stats = counters_.Snapshot();
  CacheStats memory = memory_->stats();
  stats.evictions = memory.evictions;
  stats.expirations = memory.expirations;
  return stats;
}

CacheHealth FallbackCache::Health() const {
  if (!degraded()) return {};
  std::lock_guard lock(detail_mu_);
  return {.degraded = true, .detail = degraded_detail_ + std::string(kUsingMemory)};
}

void FallbackCache::EnterDegraded(const Status& error) {
  counters_.Error();
  {
    std::unique_lock lock(mode_mu_);
    if (!degraded()) {
      memory_->Clear();
      degraded_.store(true, std::memory_order_release);
    }
    std::lock_guard detail_lock(detail_mu_);
    degraded_detail_ = error.message();
  }
  // Taking the prober's mutex orders this wakeup after its check of degraded().
  { std::lock_guard lock(probe_mu_); }
  probe_cv_.notify_all();
}

bool FallbackCache::TryRecover() {
  Status status = redis_->Probe();
  // Keys we invalidated during the outage may still be in Redis.
  if (status.ok()) status = redis_->TryClear("");
  if (!status.ok()) {
    std::lock_guard lock(detail_mu_);
    degraded_detail_ = status.message();
    return false;
  }
  std::unique_lock lock(mode_mu_);
  memory_->Clear();
  degraded_.store(false, std::memory_order_release);
  std::lock_guard detail_lock(detail_mu_);
  degraded_detail_.clear();
  return true;
}

void FallbackCache::ProbeLoop() {
  std::unique_lock lock(probe_mu_);
  std::chrono::milliseconds backoff = options_.probe_backoff_initial;
  while (!stopping_) {
    if (!degraded()) {
      backoff = options_.probe_backoff_initial;
      probe_cv_.wait(lock, [this] { return stopping_ || degraded(); });
      continue;
    }
    if (probe_cv_.wait_for(lock, backoff, [this] { return stopping_; })) break;
    lock.unlock();
    bool recovered = TryRecover();
    lock.lock();
    if (!recovered) backoff = std::min(backoff * 2, options_.probe_backoff_max);
  }
}

}  // namespace novacron::cache
