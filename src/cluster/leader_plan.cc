#include "cluster/leader_plan.h"

#include <algorithm>

namespace novacron::cluster {
namespace {

// "no node can take it (3 nodes: capacity 2, state 1)": stable for the same inputs, so the
// leader writes it once and not every round.
std::string NoNodeReason(const PlacementRequest& request, const std::vector<PlacementNode>& nodes,
                         PlacementStrategy strategy) {
  if (nodes.empty()) return "no node can take it: the cluster has no members";
  PlacementDecision explained = Place(request, nodes, strategy, /*explain=*/true);
  std::map<std::string, int> by_filter;
  for (const NodeVerdict& verdict : explained.verdicts) {
    if (!verdict.feasible) ++by_filter[verdict.rejected_by];
  }
  std::string reason =
      "no node can take it (" + std::to_string(nodes.size()) + " nodes, rejected by";
  for (const auto& [filter, count] : by_filter) {
    reason += " " + filter + ": " + std::to_string(count) + ",";
  }
  reason.back() = ')';
  return reason;
}

}  // namespace

std::string_view LeaderActionName(LeaderAction::Kind kind) {
  switch (kind) {
    case LeaderAction::Kind::kPlace:
      return "place";
    case LeaderAction::Kind::kFailover:
      return "failover";
    case LeaderAction::Kind::kUnplaceable:
      return "unplaceable";
    case LeaderAction::Kind::kNodeLost:
      return "node_lost";
  }
  return "unknown";
}

bool CanFailOverTo(const VmEntry& vm, const NodeRecord& target) {
  return !vm.has_disks || target.shared_storage;
}

std::vector<PlacementNode> BookedNodes(const std::vector<PlacementNode>& nodes,
                                       const std::vector<VmEntry>& vms,
                                       const std::string& exclude_id) {
  std::vector<PlacementNode> booked = nodes;
  std::map<std::string, size_t> by_id;
  for (size_t i = 0; i < booked.size(); ++i) {
    booked[i].record.allocated = {};
    booked[i].anti_affinity_groups.clear();
    by_id[booked[i].record.node_id] = i;
  }
  for (const VmEntry& vm : vms) {
    auto node = by_id.find(vm.owner);
    if (node == by_id.end() || vm.state == "deleting" || vm.id == exclude_id) continue;
    PlacementNode& n = booked[node->second];
    n.record.allocated.vcpus += vm.request.vcpus;
    n.record.allocated.memory_mib += vm.request.memory_mib;
    if (!vm.request.anti_affinity_group.empty()) {
      n.anti_affinity_groups.insert(vm.request.anti_affinity_group);
    }
  }
  return booked;
}

std::vector<LeaderAction> PlanLeaderActions(const LeaderInput& input) {
  // What the records say each node holds now (a node's own publish may be older).
  std::vector<PlacementNode> nodes = BookedNodes(input.nodes, input.vms);
  std::map<std::string, size_t> by_id;
  for (size_t i = 0; i < nodes.size(); ++i) by_id[nodes[i].record.node_id] = i;
  std::vector<const VmEntry*> vms;
  vms.reserve(input.vms.size());
  for (const VmEntry& vm : input.vms) vms.push_back(&vm);
  std::sort(vms.begin(), vms.end(),
            [](const VmEntry* a, const VmEntry* b) { return a->id < b->id; });

  std::vector<LeaderAction> actions;
  auto place = [&](const VmEntry& vm, const std::vector<PlacementNode>& candidates,
                   LeaderAction::Kind kind) -> bool {
    PlacementDecision decision = Place(vm.request, candidates, input.strategy, false);
    if (!decision.node_id) return false;
    // Book it on the real list (the candidates may be a filtered copy).
    PlacementDecision booked = decision;
    booked.node_index = by_id[*decision.node_id];
    (void)ApplyPlacement(vm.request, booked, nodes);
    actions.push_back({kind, vm.id, vm.version, *decision.node_id, ""});
    return true;
  };
  for (const VmEntry* vm : vms) {
    if (vm->state == "deleting") continue;  // unplaced: removed by whoever deletes it
    if (vm->owner.empty()) {
      if (place(*vm, nodes, LeaderAction::Kind::kPlace)) continue;
      std::string reason = NoNodeReason(vm->request, nodes, input.strategy);
      if (vm->last_error != reason) {
        actions.push_back({LeaderAction::Kind::kUnplaceable, vm->id, vm->version, "", reason});
      }
      continue;
    }
    auto lost = input.lost_since.find(vm->owner);
    if (lost == input.lost_since.end() || input.now - lost->second < input.failover_grace) {
      continue;
    }
    std::string reason;
    if (!vm->ha) {
      reason = "node '" + vm->owner + "' is lost and the vm is not HA: it waits for its node";
    } else {
      std::vector<PlacementNode> eligible;
      for (const PlacementNode& n : nodes) {
        if (CanFailOverTo(*vm, n.record)) eligible.push_back(n);
      }
      if (place(*vm, eligible, LeaderAction::Kind::kFailover)) continue;
      reason = eligible.empty()
                   ? "node '" + vm->owner +
                         "' is lost and no node can reach the vm's disks (no shared storage)"
                   : "node '" + vm->owner + "' is lost and " +
                         NoNodeReason(vm->request, eligible, input.strategy);
    }
    if (vm->drift != kDriftNodeLost || vm->last_error != reason) {
      actions.push_back({LeaderAction::Kind::kNodeLost, vm->id, vm->version, "", reason});
    }
  }
  return actions;
}

}  // namespace novacron::cluster
