#include "lifecycle/report.h"

#include <algorithm>

namespace novacron::lifecycle {

std::string_view ComponentStateName(ComponentState s) {
  switch (s) {
    case ComponentState::kPending:
      return "pending";
    case ComponentState::kStarting:
      return "starting";
    case ComponentState::kRunning:
      return "running";
    case ComponentState::kFailed:
      return "failed";
    case ComponentState::kBlocked:
      return "blocked";
    case ComponentState::kLazy:
      return "lazy";
    case ComponentState::kStopping:
      return "stopping";
    case ComponentState::kStopped:
      return "stopped";
  }
  return "unknown";
}

const ComponentOutcome* BootReport::Find(std::string_view name) const {
  auto it = std::find_if(components.begin(), components.end(),
                         [&](const ComponentOutcome& c) { return c.name == name; });
  return it == components.end() ? nullptr : &*it;
}

const StopOutcome* StopReport::Find(std::string_view name) const {
  auto it = std::find_if(components.begin(), components.end(),
                         [&](const StopOutcome& c) { return c.name == name; });
  return it == components.end() ? nullptr : &*it;
}

}  // namespace novacron::lifecycle
