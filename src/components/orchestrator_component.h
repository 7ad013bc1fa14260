// orchestrator: the cluster's scheduler in cluster mode etcd (docs/cluster.md, "Ownership",
// "Placement", "HA failover"). Registered only in etcd mode. It keeps an index of the VM records
// from a watch on <prefix>vms/ and
//   - as an owner: reconciles each of this node's VMs as soon as its record changes (a VM
//     placed here is defined and started, a stop accepted by another node is carried out);
//   - as the leader: places new VMs and fails over the HA VMs of lost nodes (cluster/
//     leader_plan.h decides; every write is guarded by the leader's term);
//   - on fencing: stops acting on VMs and powers off this node's HA VMs; on rejoin resumes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_watch.h"
#include "cluster/leader_election.h"
#include "cluster/leader_loop.h"
#include "cluster/leader_plan.h"
#include "components/node_component.h"
#include "store/etcd/etcd_state_store.h"
#include "vm/manager.h"

namespace novacron::components {

class ClusterComponent;

class OrchestratorComponent : public NodeComponent, private cluster::LeaderEnvironment {
 public:
  static constexpr std::string_view kName = "orchestrator";
  using NodeComponent::NodeComponent;
  ~OrchestratorComponent() override;

  Status Stop(lifecycle::StopContext& ctx) override;
  lifecycle::HealthReport Health() const override;

  // kNotFound for an unknown VM; kUnavailable unless running.
  Result<cluster::PlacementExplanation> ExplainPlacement(const std::string& id_or_name) const;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  // Reads every VM record and (re)starts the watch after them.
  Status Relist();
  // The watch's thread: updates the index, queues this node's VMs for the worker.
  void OnVmEvents(const std::vector<cluster::WatchEvent>& events);
  // The worker: owner reconciles as they come, a leader round every second or when woken.
  void Run();
  // One round of the leader loop, logging what it did.
  void LeaderRound();
  // cluster::LeaderEnvironment: the steady clock, the agent's view, the record index, and each
  // action as an etcd transaction guarded by the leader key's create revision.
  std::chrono::steady_clock::time_point Now() override { return std::chrono::steady_clock::now(); }
  cluster::ClusterView View() override;
  std::vector<cluster::VmEntry> Vms() override;
  Status Apply(const cluster::LeaderAction& action, const cluster::Leadership& term) override;
  void OnMembership(bool member);
  std::vector<cluster::PlacementNode> Nodes() const;
  Status RegisterMetrics();

  std::shared_ptr<store::StateStore> store_;  // keeps the etcd store open
  store::EtcdStateStore* etcd_ = nullptr;     // the same store
  vm::VmManager* manager_ = nullptr;
  vm::VmOwnerDuties* duties_ = nullptr;
  ClusterComponent* cluster_ = nullptr;
  std::string node_id_;
  cluster::PlacementStrategy strategy_ = cluster::PlacementStrategy::kSpread;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, cluster::VmEntry> vms_;  // guarded by mu_: the index, by id
  std::set<std::string> to_reconcile_;           // guarded by mu_: this node's changed VMs
  bool leader_wanted_ = false;                   // guarded by mu_: an unplaced VM appeared
  bool relist_ = false;                          // guarded by mu_: the watch lost history
  bool reconcile_all_ = false;                   // guarded by mu_: rejoined after fencing
  bool stopping_ = false;                        // guarded by mu_

  // Only the worker thread touches these.
  std::unique_ptr<cluster::EtcdWatch> watch_;
  std::optional<cluster::LeaderLoop> leader_loop_;

  std::thread worker_;
  observe::CounterFamily* actions_ = nullptr;  // novacron_cluster_leader_actions_total{action}
};

}  // namespace novacron::components
