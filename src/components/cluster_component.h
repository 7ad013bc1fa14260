// cluster: this node as a member of a cluster whose shared state lives in etcd (cluster.mode
// etcd; docs/cluster.md). Registered only in etcd mode. Start reaches etcd (bounded by
// cluster.etcd_dial_timeout, else the boot fails with exit 3 naming the endpoints), then runs the
// ClusterAgent: session lease, membership record, leader election, the view the API serves.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "cluster/cluster_agent.h"
#include "cluster/etcd_client.h"
#include "components/node_component.h"

namespace novacron::vm {
class VmManager;
}

namespace novacron::components {

class EnvironmentComponent;

class ClusterComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "cluster";
  using NodeComponent::NodeComponent;

  Status Stop(lifecycle::StopContext& ctx) override;
  // Degraded while this node is not a member (fenced, or etcd unreachable).
  lifecycle::HealthReport Health() const override;

  // Null unless running. The agent lives until Stop(); callers on other threads use it only
  // between their own Start and Stop (the API depends on this component).
  cluster::ClusterAgent* agent() const {
    std::lock_guard lock(mu_);
    return agent_.get();
  }
  // Every etcd endpoint's status; empty unless running.
  std::vector<cluster::EndpointStatus> EtcdHealth() const;

  // Called on the agent's thread with false when this node fences and true when it is a member
  // again (the orchestrator acts on its VMs then). One handler; an empty function removes it,
  // and once that returns the old handler is not running and never runs again.
  void SetMembershipHandler(std::function<void(bool member)> handler);

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  Status RegisterMetrics();

  vm::VmManager* manager_ = nullptr;
  const EnvironmentComponent* environment_ = nullptr;
  // Health() and EtcdHealth() may run on other threads while Stop() runs.
  mutable std::mutex mu_;
  std::shared_ptr<cluster::EtcdClient> client_;   // guarded by mu_
  std::unique_ptr<cluster::ClusterAgent> agent_;  // guarded by mu_
  // Calls run under handler_mu_, so that removing the handler waits for a call in flight.
  std::mutex handler_mu_;
  std::function<void(bool)> membership_handler_;  // guarded by handler_mu_
  void NotifyMembership(bool member);

  bool metrics_registered_ = false;
  // Looked up once (metrics registered for the daemon's lifetime); used by agent callbacks.
  observe::Counter* leader_changes_ = nullptr;
  observe::Counter* fences_ = nullptr;
  observe::Histogram* renew_ok_ = nullptr;
  observe::Histogram* renew_failed_ = nullptr;
  observe::Histogram* watch_lag_ = nullptr;
  observe::GaugeFamily* members_ = nullptr;
  observe::Gauge* is_leader_ = nullptr;
  observe::Gauge* joined_ = nullptr;
};

// What this node publishes about itself (and what the API shows in standalone mode): addresses,
// version, network mode, capacity and allocation from the VM manager. Either pointer may be null.
cluster::NodeRecord DescribeThisNode(const Runtime& runtime, vm::VmManager* manager,
                                     const EnvironmentComponent* environment);

}  // namespace novacron::components
