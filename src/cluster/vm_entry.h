// Between the VM records (store/vm_store.h) and what the leader reasons about
// (cluster/leader_plan.h): a record's VmEntry, and a leader decision written into a record.
// Shared by the orchestrator component and the HA simulator (cluster/testing/ha_sim.h).
#pragma once

#include <string>

#include "cluster/leader_plan.h"
#include "common/status.h"
#include "store/vm_store.h"

namespace novacron::cluster {

// What the leader needs of a VM record; kInternal for a record whose spec does not parse.
Result<VmEntry> VmEntryOf(const store::VmRecord& record);

// Writes what the leader decided into `record`: owner and drift for a placement; for a failover
// also the state (wanted running: starting on the new node) and a last_error saying when
// (`now_text`, RFC 3339) and from which node; the reason for the others.
void ApplyLeaderAction(const LeaderAction& action, store::VmRecord& record,
                       const std::string& now_text);

}  // namespace novacron::cluster
