#include "vm/hypervisor.h"

namespace novacron::vm {

std::string_view PowerStateName(PowerState state) {
  switch (state) {
    case PowerState::kRunning:
      return "running";
    case PowerState::kPaused:
      return "paused";
    case PowerState::kShutOff:
      return "shut off";
    case PowerState::kCrashed:
      return "crashed";
    case PowerState::kOther:
      break;
  }
  return "other";
}

bool IsPoweredOn(PowerState state) {
  return state == PowerState::kRunning || state == PowerState::kPaused;
}

}  // namespace novacron::vm
