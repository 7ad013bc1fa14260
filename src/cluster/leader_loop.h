// The leader's loop (docs/cluster.md, "HA failover"), written against a small environment so that
// the same code runs in the daemon (etcd, the orchestrator's record index, the steady clock) and
// in the deterministic simulator (src/cluster/testing/ha_sim.h: memory, a virtual clock). Each
// round: if this node leads, note when each lost node was first seen lost, plan
// (cluster/leader_plan.h) and apply the actions, each guarded by the leader's term.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "cluster/cluster_agent.h"
#include "cluster/leader_plan.h"
#include "common/status.h"

namespace novacron::cluster {

class LeaderEnvironment {
 public:
  virtual ~LeaderEnvironment() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  // This node's view of the cluster: the members, the leader, whether it is this node.
  virtual ClusterView View() = 0;
  // The VM records as this node last saw them.
  virtual std::vector<VmEntry> Vms() = 0;
  // Writes what `action` decides, in one transaction that requires `term` to still hold.
  // kFailedPrecondition when it does not (the round ends); kConflict / kNotFound when the record
  // moved on since the decision (skipped: the next round decides again).
  virtual Status Apply(const LeaderAction& action, const Leadership& term) = 0;
};

class LeaderLoop {
 public:
  struct Options {
    std::chrono::milliseconds failover_grace{5000};
    PlacementStrategy strategy = PlacementStrategy::kSpread;
  };
  explicit LeaderLoop(Options options) : options_(options) {}

  struct RoundResult {
    bool leading = false;
    bool new_term = false;                                  // this round is the first of a term
    std::vector<std::string> newly_lost{};                  // nodes first seen lost this round
    std::vector<LeaderAction> applied{};                    // written
    std::vector<std::pair<LeaderAction, Status>> failed{};  // not written, and why
  };
  // One round. Not thread-safe: one caller.
  RoundResult Round(LeaderEnvironment& env);

 private:
  const Options options_;
  // When this leader first saw each lost node lost; cleared when a term begins or ends, so a
  // new leader waits the whole grace again (it cannot know how long the node was gone).
  std::map<std::string, std::chrono::steady_clock::time_point> lost_since_;
  int64_t term_ = 0;
};

}  // namespace novacron::cluster
