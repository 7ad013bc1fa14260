#include "lifecycle/retry.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace novacron::lifecycle {

RetryPolicy RetryPolicy::Spec() {
  return RetryPolicy{.max_attempts = 3,
                     .initial_delay = std::chrono::seconds(1),
                     .multiplier = 2.0,
                     .max_delay = std::chrono::seconds(30),
                     .jitter = 0.1};
}

RetryPolicy RetryPolicy::Once() { return RetryPolicy{}; }

std::chrono::milliseconds RetryPolicy::BaseDelay(int attempt) const {
  double ms = static_cast<double>(initial_delay.count()) *
              std::pow(multiplier, static_cast<double>(std::max(attempt, 1) - 1));
  ms = std::min(ms, static_cast<double>(max_delay.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(ms, 0.0)));
}

std::chrono::milliseconds RetryPolicy::Delay(int attempt, std::mt19937_64& rng) const {
  const auto base = BaseDelay(attempt);
  if (jitter <= 0.0 || base.count() == 0) return base;
  std::uniform_real_distribution<double> factor(1.0 - jitter, 1.0 + jitter);
  const double ms = static_cast<double>(base.count()) * factor(rng);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(std::round(ms), 0.0)));
}

Status RetryPolicy::Validate() const {
  if (max_attempts < 1) {
    return InvalidArgument("retry.max_attempts must be at least 1, got " +
                           std::to_string(max_attempts));
  }
  if (initial_delay.count() < 0) return InvalidArgument("retry.initial_delay must not be negative");
  if (max_delay < initial_delay) {
    return InvalidArgument("retry.max_delay must not be below retry.initial_delay");
  }
  if (!(multiplier >= 1.0)) return InvalidArgument("retry.multiplier must be at least 1");
  if (!(jitter >= 0.0 && jitter < 1.0)) {
    return InvalidArgument("retry.jitter must be in [0, 1), got " + std::to_string(jitter));
  }
  return Status::Ok();
}

}  // namespace novacron::lifecycle
