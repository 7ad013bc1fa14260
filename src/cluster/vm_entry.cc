#include "cluster/vm_entry.h"

#include "vm/vm_spec.h"

namespace novacron::cluster {

Result<VmEntry> VmEntryOf(const store::VmRecord& record) {
  Result<vm::VmSpec> spec = vm::ParseVmSpecJson(record.spec_json);
  if (!spec.ok()) {
    return Internal("vm " + record.id + ": stored spec is unreadable: " + spec.status().message());
  }
  VmEntry entry;
  entry.id = record.id;
  entry.name = record.name;
  entry.owner = record.owner;
  entry.state = record.state;
  entry.drift = record.drift;
  entry.last_error = record.last_error;
  entry.version = record.version;
  entry.ha = spec->ha;
  entry.has_disks = !spec->disks.empty();
  entry.request.vm_id = record.id;
  entry.request.vcpus = spec->vcpus;
  entry.request.memory_mib = static_cast<int64_t>(spec->memory_mib);
  entry.request.node_selector = spec->node_selector;
  auto group = spec->labels.find(kAntiAffinityLabel);
  if (group != spec->labels.end()) entry.request.anti_affinity_group = group->second;
  return entry;
}

void ApplyLeaderAction(const LeaderAction& action, store::VmRecord& record,
                       const std::string& now_text) {
  using Kind = LeaderAction::Kind;
  const std::string from = record.owner;
  switch (action.kind) {
    case Kind::kPlace:
      record.owner = action.node_id;
      record.drift = kDriftNotDefined;
      record.last_error.clear();
      break;
    case Kind::kFailover:
      record.owner = action.node_id;
      record.drift = kDriftNotDefined;
      // Wanted running on the lost node: running on the new one.
      if (record.state == "running" || record.state == "starting") record.state = "starting";
      if (record.state == "stopping") record.state = "stopped";
      record.last_error = "restarted on node '" + action.node_id + "': node '" + from +
                          "' was lost (at " + now_text + ")";
      break;
    case Kind::kUnplaceable:
      record.last_error = action.reason;
      break;
    case Kind::kNodeLost:
      record.drift = kDriftNodeLost;
      record.last_error = action.reason;
      break;
  }
}

}  // namespace novacron::cluster
