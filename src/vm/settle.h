// Settling: the one rule that decides a VM record's next state from what is true now, instead of
// from the order in which hypervisor events arrive. Its inputs are the recorded state (which, in a
// transitional state, also says what the user asked for), the operation that just finished on
// the VM, whether more accepted operations wait for it, and the domain's actual power state read
// from the hypervisor. Events only say "look again". docs/vm-state-machine.md is the reference.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "vm/hypervisor.h"
#include "vm/vm_state.h"

namespace novacron::vm {

// A hypervisor operation carried out for an accepted request, one at a time per VM.
enum class VmOperation { kStart, kShutdown, kStop };
std::string_view VmOperationName(VmOperation operation);  // "start", "shutdown", "stop"

struct FinishedOperation {
  VmOperation operation = VmOperation::kStart;
  Status result;
};

struct SettleInput {
  VmState recorded = VmState::kDefined;
  // nullopt: the hypervisor has no such domain (reconciliation reports that as drift).
  std::optional<PowerState> power;
  // Set when this settle follows an operation; nullopt for an event or a reconciliation.
  std::optional<FinishedOperation> finished;
  // Accepted operations still wait for this VM: the record already says what the last of them
  // wants, so only a failure is noted and the state is left to them.
  bool more_queued = false;
};

struct SettleDecision {
  std::optional<VmState> next;  // nullopt: leave the state as it is
  std::string error;            // non-empty: the new last_error (without the time)
};

// Pure and total: every (recorded, power, finished, more_queued) has an answer. `failed` is
// never decided without an error.
SettleDecision Settle(const SettleInput& input);

}  // namespace novacron::vm
