// A deterministic simulator of a NovaCron cluster (docs/cluster.md, "Simulator"), in the spirit of
// Proxmox's HA simulator: virtual time, a simulated etcd (leases, the leader key and its term,
// links that can be cut), and simulated hypervisors - around the real decision code: the
// leader's LeaderLoop (through its LeaderEnvironment), the real VM manager of each node in
// cluster mode (owner reconcile, fencing) over a real SQLite VM store that plays the shared
// records, and the session's fence point (EtcdSession's margin). Failure scenarios - node loss
// during placement, a leader change mid-failover, a lease expiring while a start is under way -
// replay in well under a second, and the invariant "no VM runs on two nodes" is checked after
// every step.
//
//   HaSim sim({.nodes = 3});
//   std::string id = sim.Create("web", /*ha=*/true);
//   sim.RunFor(seconds(2));
//   sim.Crash(sim.OwnerOf(id));
//   sim.RunFor(seconds(20));
//   EXPECT_TRUE(sim.violations().empty());
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster/leader_loop.h"
#include "store/state_store.h"
#include "store/test_temp_dir.h"
#include "vm/hypervisor.h"
#include "vm/manager.h"

namespace novacron::cluster::testing {

class SimHypervisor;
class LinkedVmStore;

class HaSim {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int nodes = 3;  // n1, n2, ...
    std::chrono::seconds lease_ttl{3};
    std::chrono::milliseconds failover_grace{1000};
    std::chrono::milliseconds tick{250};  // virtual time per step
    PlacementStrategy strategy = PlacementStrategy::kPack;
  };

  explicit HaSim(Options options);
  ~HaSim();

  // A VM created through node `via` (any node: recorded unplaced, the leader places it).
  std::string Create(const std::string& name, bool ha, const std::string& via = "n1");

  // One step: sessions renew or fence, leases expire, a leader is elected, every node that can
  // reach etcd reconciles its VMs, the leader runs a round; then the invariants are checked.
  void Step();
  void RunFor(std::chrono::milliseconds duration);
  // Steps until `done()` or `limit` of virtual time passed; whether it became true.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds limit);

  // The host dies: its domains are gone with it and it does nothing any more.
  void Crash(const std::string& node);
  // Its link to etcd is cut (it keeps running and acting on what it knows), or healed.
  void Cut(const std::string& node);
  void Heal(const std::string& node);
  // Holds every domain start on `node` until ReleaseStarts(): a start under way across steps.
  void HoldStarts(const std::string& node);
  void ReleaseStarts(const std::string& node);

  // The record as the shared store has it now.
  store::VmRecord Record(const std::string& id);
  std::string OwnerOf(const std::string& id) { return Record(id).owner; }
  // The nodes whose hypervisor runs `id` now.
  std::set<std::string> RunningOn(const std::string& id);
  std::optional<std::string> Leader() const;
  Clock::duration elapsed() const { return now_ - start_; }
  bool fenced(const std::string& node) const;
  // Whether etcd holds a lease of `node` (false: the others see it lost).
  bool has_lease(const std::string& node) const;

  // Every broken invariant seen so far ("t=4.25s: vm web runs on n1 and n2").
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  struct Node;
  class Env;

  Node& node(const std::string& id);
  void Session(Node& node);
  void ExpireLeases();
  void Elect();
  void CheckInvariants();
  ClusterView TrueView(const std::string& node_id) const;
  std::string Stamp() const;

  const Options options_;
  store::testing::TempDir dir_;
  std::unique_ptr<store::StateStore> records_;  // the shared records ("etcd")
  std::vector<std::unique_ptr<Node>> nodes_;
  Clock::time_point start_;
  Clock::time_point now_;
  std::optional<Leadership> leader_;  // the leader key: holder and term (its lease = holder's)
  int64_t next_term_ = 1;
  std::vector<std::string> violations_;
};

}  // namespace novacron::cluster::testing
