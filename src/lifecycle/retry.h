// How often and how patiently a failing start is retried.
#pragma once

#include <chrono>
#include <random>

#include "common/status.h"

namespace novacron::lifecycle {

struct RetryPolicy {
  int max_attempts = 1;  // including the first
  std::chrono::milliseconds initial_delay{0};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{30'000};
  double jitter = 0.0;  // the delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]

  // docs/architecture.md, Boot: 3 attempts, waiting ~1 s then ~2 s (x2, max 30 s, jitter 10 %).
  static RetryPolicy Spec();
  // A single attempt: no retry.
  static RetryPolicy Once();

  // The wait after failed attempt `attempt` (1-based) before the next one, without jitter:
  // initial_delay * multiplier^(attempt - 1), capped at max_delay.
  std::chrono::milliseconds BaseDelay(int attempt) const;
  // BaseDelay with jitter drawn from `rng`; never negative, never above max_delay * (1 + jitter).
  std::chrono::milliseconds Delay(int attempt, std::mt19937_64& rng) const;

  // InvalidArgument naming the field when the policy cannot work (e.g. max_attempts < 1).
  Status Validate() const;
};

}  // namespace novacron::lifecycle
