// What the cluster's leader decides each round (docs/cluster.md, "Placement" and "HA failover"),
// as pure code over a snapshot: the members, the VM records, when each lost node was first seen
// lost, and the time. No etcd, no threads, no clock of its own, so a simulator can replay
// failure scenarios deterministically; the orchestrator component carries the actions out, each
// as a transaction guarded by the leader's term.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cluster/placement.h"

namespace novacron::cluster {

// The label of a VM that names its anti-affinity group: VMs of one group go to different nodes.
inline constexpr char kAntiAffinityLabel[] = "novacron.io/anti-affinity";

// Drift values the leader writes (the owner's manager knows them too).
inline constexpr char kDriftUnplaced[] = "unplaced";       // waits for placement
inline constexpr char kDriftNotDefined[] = "not_defined";  // placed: its owner defines it
inline constexpr char kDriftNodeLost[] = "node_lost";      // its node is lost; not failed over

// What the leader needs to know of one VM record.
struct VmEntry {
  std::string id{};
  std::string name{};
  std::string owner{};  // node id; "" when not placed
  std::string state{};  // vm state name
  std::string drift{};
  std::string last_error{};
  int64_t version = 0;
  bool ha = false;
  bool has_disks = false;
  PlacementRequest request{};  // vcpus, memory, node_selector, anti-affinity group
};

struct LeaderAction {
  enum class Kind {
    kPlace,        // an unplaced VM goes to `node_id`
    kFailover,     // an HA VM of a lost node goes to `node_id`
    kUnplaceable,  // no node can take it now: `reason` becomes its last_error
    kNodeLost,     // its node is lost and it cannot fail over: drift node_lost, `reason`
  };
  Kind kind = Kind::kPlace;
  std::string vm_id{};
  int64_t version = 0;    // the record version the decision was made on
  std::string node_id{};  // kPlace, kFailover
  std::string reason{};   // kUnplaceable, kNodeLost
};
std::string_view LeaderActionName(LeaderAction::Kind kind);  // "place", "failover", ...

struct LeaderInput {
  // Every member (any state). Allocated resources and anti-affinity groups are recomputed from
  // `vms` (what the records say now), not taken from the members' last publish.
  std::vector<PlacementNode> nodes{};
  std::vector<VmEntry> vms{};
  // When this leader first saw each lost node lost.
  std::map<std::string, std::chrono::steady_clock::time_point> lost_since{};
  std::chrono::steady_clock::time_point now{};
  // How long after a node is seen lost its HA VMs are restarted elsewhere. The node fenced
  // itself before its lease could expire, so this is margin on top (cluster.failover_grace).
  std::chrono::milliseconds failover_grace{5000};
  PlacementStrategy strategy = PlacementStrategy::kSpread;
};

// `nodes` with allocated resources and anti-affinity groups recomputed from the records in `vms`
// (every VM placed on a node and not being deleted), leaving out the VM `exclude_id`.
std::vector<PlacementNode> BookedNodes(const std::vector<PlacementNode>& nodes,
                                       const std::vector<VmEntry>& vms,
                                       const std::string& exclude_id = "");

// Where a VM is and where placement would put it now (GET /api/v1/vms/{id}/placement).
struct PlacementExplanation {
  std::string vm_id{};
  std::string vm_name{};
  std::string owner{};           // "" when not placed yet
  std::string strategy{};        // "spread" | "pack"
  PlacementDecision decision{};  // over every member, with explain
};

// The actions of one round, in VM id order: unplaced VMs are placed; the VMs of nodes lost for
// at least failover_grace are failed over when HA and eligible, else marked node_lost (once).
// Each placement is booked before the next decision, so one round never overfills a node.
std::vector<LeaderAction> PlanLeaderActions(const LeaderInput& input);

// Whether an HA VM may restart on `target`: its disks must be reachable there, which is true
// without disks or with shared storage on the target (docs/cluster.md, "HA failover").
bool CanFailOverTo(const VmEntry& vm, const NodeRecord& target);

}  // namespace novacron::cluster
