// What a component says about itself while it runs; drives /health/ready and /health/status.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace novacron::lifecycle {

struct HealthReport {
  enum State { kHealthy, kDegraded, kUnhealthy };
  State state = kHealthy;
  std::string detail;

  static HealthReport Healthy() { return {}; }
  static HealthReport Degraded(std::string detail) { return {kDegraded, std::move(detail)}; }
  static HealthReport Unhealthy(std::string detail) { return {kUnhealthy, std::move(detail)}; }
};

// "healthy", "degraded", "unhealthy".
std::string_view HealthStateName(HealthReport::State state);

}  // namespace novacron::lifecycle
