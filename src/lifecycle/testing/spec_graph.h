// The full component graph of docs/architecture.md, as specs, for tests and benchmarks ("high"
// criticality maps to degraded; metrics, absent from the requirements' phase list, is pre-init).
#pragma once

#include <string>
#include <vector>

#include "lifecycle/component.h"

namespace novacron::lifecycle::testing {

inline std::vector<ComponentSpec> SpecGraph(bool ml_engine_lazy = true) {
  using C = Criticality;
  using P = Phase;
  auto spec = [](std::string name, std::vector<std::string> deps, C c, P p) {
    ComponentSpec s;
    s.name = std::move(name);
    s.dependencies = std::move(deps);
    s.criticality = c;
    s.phase = p;
    return s;
  };
  std::vector<ComponentSpec> specs = {
      spec("config", {}, C::kCritical, P::kPreInit),
      spec("logger", {"config"}, C::kCritical, P::kPreInit),
      spec("metrics", {"config", "logger"}, C::kCritical, P::kPreInit),
      spec("environment", {"config"}, C::kCritical, P::kPreInit),
      spec("resources", {"config"}, C::kCritical, P::kPreInit),
      spec("security", {"config"}, C::kCritical, P::kCore),
      spec("database", {"security"}, C::kCritical, P::kCore),
      spec("cache", {"security"}, C::kDegraded, P::kCore),
      spec("network", {"security"}, C::kCritical, P::kCore),
      spec("dwcp", {"security", "network"}, C::kDegraded, P::kCore),
      spec("vm manager", {"security", "database"}, C::kCritical, P::kServices),
      spec("orchestrator", {"dwcp", "database"}, C::kDegraded, P::kServices),
      spec("api", {"security", "orchestrator"}, C::kCritical, P::kServices),
      spec("monitoring", {"network"}, C::kOptional, P::kServices),
      spec("ml engine", {"database", "dwcp"}, C::kOptional, P::kServices),
  };
  specs.back().lazy = ml_engine_lazy;
  return specs;
}

}  // namespace novacron::lifecycle::testing
