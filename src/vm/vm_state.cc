#include "vm/vm_state.h"

#include <string>

namespace novacron::vm {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> ParseByName(std::string_view name, const Enum (&all)[N],
                                std::string_view (*to_name)(Enum)) {
  for (Enum e : all) {
    if (to_name(e) == name) return e;
  }
  return std::nullopt;
}

Status ActionConflict(std::string_view vm, VmState from, VmAction action, std::string_view why) {
  std::string msg = "cannot " + std::string(VmActionName(action)) + " vm '" + std::string(vm) +
                    "': it is " + std::string(VmStateName(from));
  if (!why.empty()) msg += "; " + std::string(why);
  return Conflict(std::move(msg));
}

}  // namespace

std::string_view VmStateName(VmState state) {
  switch (state) {
    case VmState::kDefined:
      return "defined";
    case VmState::kStarting:
      return "starting";
    case VmState::kRunning:
      return "running";
    case VmState::kStopping:
      return "stopping";
    case VmState::kStopped:
      return "stopped";
    case VmState::kFailed:
      return "failed";
    case VmState::kDeleting:
      return "deleting";
  }
  return "unknown";
}

std::string_view VmActionName(VmAction action) {
  switch (action) {
    case VmAction::kStart:
      return "start";
    case VmAction::kStop:
      return "stop";
    case VmAction::kReboot:
      return "reboot";
    case VmAction::kDelete:
      return "delete";
  }
  return "unknown";
}

std::string_view VmEventName(VmEvent event) {
  switch (event) {
    case VmEvent::kStarted:
      return "started";
    case VmEvent::kStopped:
      return "stopped";
    case VmEvent::kCrashed:
      return "crashed";
  }
  return "unknown";
}

std::optional<VmState> ParseVmState(std::string_view name) {
  return ParseByName(name, kAllVmStates, &VmStateName);
}
std::optional<VmAction> ParseVmAction(std::string_view name) {
  return ParseByName(name, kAllVmActions, &VmActionName);
}
std::optional<VmEvent> ParseVmEvent(std::string_view name) {
  return ParseByName(name, kAllVmEvents, &VmEventName);
}

bool IsTransitional(VmState state) {
  return state == VmState::kStarting || state == VmState::kStopping || state == VmState::kDeleting;
}

Result<VmState> ApplyAction(std::string_view vm_name, VmState from, VmAction action) {
  switch (action) {
    case VmAction::kStart:
      if (from == VmState::kDefined || from == VmState::kStopped || from == VmState::kFailed) {
        return VmState::kStarting;
      }
      return ActionConflict(vm_name, from, action, "");
    case VmAction::kStop:
      // A failed VM may have a half-dead domain left; stopping it cleans that up.
      if (from == VmState::kRunning || from == VmState::kStarting || from == VmState::kFailed) {
        return VmState::kStopping;
      }
      return ActionConflict(vm_name, from, action, "");
    case VmAction::kReboot:
      if (from == VmState::kRunning) return VmState::kRunning;
      return ActionConflict(vm_name, from, action, "only a running vm can be rebooted");
    case VmAction::kDelete:
      if (from == VmState::kDefined || from == VmState::kStopped || from == VmState::kFailed) {
        return VmState::kDeleting;
      }
      if (from == VmState::kDeleting) return ActionConflict(vm_name, from, action, "");
      return ActionConflict(vm_name, from, action, "stop it first");
  }
  return Internal("unknown vm action");
}

}  // namespace novacron::vm
