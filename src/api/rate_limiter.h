// Per-client token buckets for api.rate_limit (requests per minute). A bucket holds ten seconds'
// worth of requests (at least 10), so a client may burst briefly and then gets the configured
// rate. The rate can change while running (SIGHUP). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace novacron::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // 0 = unlimited.
  explicit RateLimiter(int per_minute) { SetRate(per_minute); }

  void SetRate(int per_minute) { per_minute_.store(per_minute < 0 ? 0 : per_minute); }
  int rate() const { return per_minute_.load(); }

  // Takes one request from `client`'s bucket: 0 when allowed, else the whole seconds until the
  // next request will be (for Retry-After, at least 1).
  int Take(const std::string& client, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  // Drops buckets that have refilled completely (they behave like new ones).
  void Prune(Clock::time_point now, double per_second, double capacity);  // REQUIRES: mu_ held

  std::atomic<int> per_minute_{0};
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace novacron::api
