// The VM manager over a state store and a hypervisor driver (see manager.h for the contract).
#pragma once

#include <memory>

#include "common/status.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "store/vm_store.h"
#include "vm/hypervisor.h"
#include "vm/manager.h"

namespace novacron::vm {

struct ManagerDeps {
  store::VmStore* store = nullptr;   // must outlive the manager
  Hypervisor* hypervisor = nullptr;  // must outlive the manager
  observe::Logger logger{};
  observe::Registry* metrics = nullptr;  // optional: novacron_vms{state}, operations, drift
};

// Reads the node inventory once (kUnavailable when the hypervisor does not answer) and
// subscribes to the driver's events. Call Reconcile() once at boot.
Result<std::unique_ptr<VmManager>> NewVmManager(const ManagerDeps& deps,
                                                const ManagerOptions& options);

// Waits until the manager has no queued or running background work (tests, orderly stop).
void DrainVmManager(VmManager& manager);

}  // namespace novacron::vm
