#include "lifecycle/component.h"

#include <stdexcept>
#include <string>

namespace novacron::lifecycle {

std::string_view CriticalityName(Criticality c) {
  switch (c) {
    case Criticality::kCritical:
      return "critical";
    case Criticality::kDegraded:
      return "degraded";
    case Criticality::kOptional:
      return "optional";
  }
  return "unknown";
}

Result<Criticality> ParseCriticality(std::string_view name) {
  for (Criticality c : {Criticality::kCritical, Criticality::kDegraded, Criticality::kOptional}) {
    if (CriticalityName(c) == name) return c;
  }
  return InvalidArgument("unknown criticality '" + std::string(name) +
                         "' (want critical, degraded or optional)");
}

std::string_view PhaseName(Phase p) {
  switch (p) {
    case Phase::kPreInit:
      return "pre-init";
    case Phase::kCore:
      return "core";
    case Phase::kServices:
      return "services";
    case Phase::kPostInit:
      return "post-init";
  }
  return "unknown";
}

Result<Phase> ParsePhase(std::string_view name) {
  for (Phase p : kAllPhases) {
    if (PhaseName(p) == name) return p;
  }
  return InvalidArgument("unknown phase '" + std::string(name) +
                         "' (want pre-init, core, services or post-init)");
}

std::string_view HealthStateName(HealthReport::State state) {
  switch (state) {
    case HealthReport::kHealthy:
      return "healthy";
    case HealthReport::kDegraded:
      return "degraded";
    case HealthReport::kUnhealthy:
      return "unhealthy";
  }
  return "unknown";
}

RetryPolicy ComponentSpec::EffectiveRetry() const {
  if (retry) return *retry;
  return criticality == Criticality::kDegraded ? RetryPolicy::Spec() : RetryPolicy::Once();
}

StartContext::StartContext(std::string_view component, std::stop_token stop,
                           Clock::time_point deadline, int attempt,
                           std::vector<Dependency> dependencies)
    : component_(component),
      stop_(std::move(stop)),
      deadline_(deadline),
      attempt_(attempt),
      dependencies_(std::move(dependencies)) {}

Component& StartContext::DepByName(std::string_view name) const {
  for (const Dependency& d : dependencies_) {
    if (d.name == name) return *d.component;
  }
  throw std::logic_error("component '" + std::string(component_) + "' asked for '" +
                         std::string(name) + "', which is not one of its declared dependencies");
}

void StartContext::ThrowWrongType(std::string_view dependency) const {
  throw std::logic_error("component '" + std::string(component_) + "' asked for dependency '" +
                         std::string(dependency) +
                         "' as a type it is not (check the type's kName)");
}

Component::~Component() = default;

HealthReport Component::Health() const { return HealthReport::Healthy(); }

}  // namespace novacron::lifecycle
