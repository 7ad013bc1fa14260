#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace novacron::api {
namespace {

constexpr size_t kPruneAbove = 10000;  // buckets kept before idle ones are dropped

}  // namespace

int RateLimiter::Take(const std::string& client, Clock::time_point now) {
  const int per_minute = per_minute_.load(std::memory_order_relaxed);
  if (per_minute == 0) return 0;
  const double per_second = per_minute / 60.0;
  const double capacity = std::max(10.0, per_second * 10.0);
  std::lock_guard lock(mu_);
  if (buckets_.size() > kPruneAbove) Prune(now, per_second, capacity);
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{capacity, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(capacity, bucket.tokens + std::max(0.0, elapsed) * per_second);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / per_second)));
}

void RateLimiter::Prune(Clock::time_point now, double per_second, double capacity) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    bool full = it->second.tokens + elapsed * per_second >= capacity;
    it = full ? buckets_.erase(it) : std::next(it);
  }
}

}  // namespace novacron::api
