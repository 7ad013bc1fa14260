// A circuit breaker for calls to external dependencies (database, Redis, etcd): after N
// consecutive failures it fails fast for a cool-down, then lets one trial call through.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "lifecycle/clock.h"

namespace novacron::lifecycle {

struct CircuitBreakerOptions {
  int failure_threshold = 3;                            // consecutive failures that open it
  Duration cool_down = std::chrono::seconds(30);        // open -> half-open
  std::function<Clock::time_point()> now = Clock::now;  // injectable for tests
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  using Options = CircuitBreakerOptions;

  // `name` is the dependency, used in error messages ("circuit 'database' is open").
  explicit CircuitBreaker(std::string name, Options options = {});

  // Whether a call may go out now. Open: no, until the cool-down passed; then half-open lets
  // exactly one trial call through, and refuses others until that trial is recorded.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();

  // Allow + fn + Record in one: Unavailable without calling fn while the circuit is open. Only
  // retriable errors count as failures of the dependency (a NotFound is the caller's problem).
  Status Call(const std::function<Status()>& fn);

  State state() const;
  const std::string& name() const { return name_; }

 private:
  const std::string name_;
  const Options options_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  Clock::time_point opened_at_{};
  bool trial_in_flight_ = false;
};

std::string_view BreakerStateName(CircuitBreaker::State state);  // "closed", "open", "half-open"

}  // namespace novacron::lifecycle
