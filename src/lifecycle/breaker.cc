#include "lifecycle/breaker.h"

#include <utility>

namespace novacron::lifecycle {

CircuitBreaker::CircuitBreaker(std::string name, Options options)
    : name_(std::move(name)), options_(std::move(options)) {}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mu_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (options_.now() - opened_at_ < options_.cool_down) return false;
      state_ = State::kHalfOpen;
      trial_in_flight_ = true;
      return true;
    case State::kHalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  state_ = State::kClosed;
  consecutive_failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mu_);
  trial_in_flight_ = false;
  ++consecutive_failures_;
  if (state_ == State::kHalfOpen || consecutive_failures_ >= options_.failure_threshold) {
    state_ = State::kOpen;
    opened_at_ = options_.now();
  }
}

Status CircuitBreaker::Call(const std::function<Status()>& fn) {
  if (!Allow()) return Unavailable("circuit '" + name_ + "' is open: failing fast");
  Status s = fn();
  if (s.ok() || !s.retriable()) {
    RecordSuccess();
  } else {
    RecordFailure();
  }
  return s;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  // Past the cool-down the next Allow() lets a trial through: that is half-open already.
  if (state_ == State::kOpen && options_.now() - opened_at_ >= options_.cool_down) {
    return State::kHalfOpen;
  }
  return state_;
}

std::string_view BreakerStateName(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half-open";
  }
  return "unknown";
}

}  // namespace novacron::lifecycle
