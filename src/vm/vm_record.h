// Conversions between the manager's Vm and the store's VmRecord, and new VM ids.
#pragma once

#include <string>

#include "common/status.h"
#include "store/vm_store.h"
#include "vm/manager.h"

namespace novacron::vm {

// A random (version 4) UUID in canonical lowercase form.
std::string NewVmId();

// The record of a new VM (version and times are the store's).
store::VmRecord NewRecord(const std::string& id, const VmSpec& spec, VmState state);

// Writes `spec` (spec JSON, name, labels) into `record`.
void SetSpec(store::VmRecord& record, const VmSpec& spec);

// kInternal when the stored spec or state does not parse (a corrupt or foreign row).
Result<Vm> FromRecord(const store::VmRecord& record);

}  // namespace novacron::vm
