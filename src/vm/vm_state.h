// The VM lifecycle state machine: which user actions are legal in which state, and where they
// lead. Illegal actions are kConflict (the API answers 409). How records follow the hypervisor
// afterwards is vm/settle.h; docs/vm-state-machine.md has both as tables.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"

namespace novacron::vm {

enum class VmState { kDefined, kStarting, kRunning, kStopping, kStopped, kFailed, kDeleting };
inline constexpr VmState kAllVmStates[] = {
    VmState::kDefined, VmState::kStarting, VmState::kRunning, VmState::kStopping,
    VmState::kStopped, VmState::kFailed,   VmState::kDeleting};

// What a user asks for. Stop is graceful first; the driver forces it after a grace period.
// Reboot restarts the guest in place, so the VM stays running.
enum class VmAction { kStart, kStop, kReboot, kDelete };
inline constexpr VmAction kAllVmActions[] = {VmAction::kStart, VmAction::kStop, VmAction::kReboot,
                                             VmAction::kDelete};

// What the hypervisor driver observes. Events are hints that something changed: the manager
// then reads the domain's power state and settles the record from it (vm/settle.h).
enum class VmEvent { kStarted, kStopped, kCrashed };
inline constexpr VmEvent kAllVmEvents[] = {VmEvent::kStarted, VmEvent::kStopped, VmEvent::kCrashed};

std::string_view VmStateName(VmState state);  // "defined", "starting", ...
std::optional<VmState> ParseVmState(std::string_view name);
std::string_view VmActionName(VmAction action);  // "start", "stop", "reboot", "delete"
std::optional<VmAction> ParseVmAction(std::string_view name);
std::string_view VmEventName(VmEvent event);  // "started", "stopped", "crashed"
std::optional<VmEvent> ParseVmEvent(std::string_view name);

// Stable states need no driver work in flight; transitional ones (starting, stopping, deleting)
// are waiting for an event.
bool IsTransitional(VmState state);

// The state after `action` on VM `vm_name` in state `from`, or kConflict naming both, e.g.
// "cannot start vm 'web1': it is running".
Result<VmState> ApplyAction(std::string_view vm_name, VmState from, VmAction action);

}  // namespace novacron::vm
