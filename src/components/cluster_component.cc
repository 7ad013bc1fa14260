#include "components/cluster_component.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "common/host_port.h"
#include "components/api_component.h"
#include "components/environment_component.h"
#include "components/etcd_connect.h"
#include "components/vm_manager_component.h"
#include "dwcp/mode.h"
#include "vm/manager.h"

namespace novacron::components {

Status ClusterComponent::RegisterMetrics() {
  if (metrics_registered_) return {};  // a restarted component keeps the first ones
  observe::Registry& metrics = runtime().metrics;
  NOVACRON_ASSIGN_OR_RETURN(auto changes,
                            metrics.RegisterCounter("novacron_cluster_leader_changes_total",
                                                    "Times the cluster's leader changed, as "
                                                    "this node saw it."));
  NOVACRON_ASSIGN_OR_RETURN(auto fences,
                            metrics.RegisterCounter("novacron_cluster_fences_total",
                                                    "Times this node lost its etcd lease and "
                                                    "fenced itself."));
  NOVACRON_ASSIGN_OR_RETURN(
      auto renewals,
      metrics.RegisterHistogram("novacron_cluster_lease_renew_seconds",
                                "Round trip of this node's lease renewals.", {"result"},
                                observe::ExponentialBuckets(0.001, 2, 14)));
  NOVACRON_ASSIGN_OR_RETURN(
      auto watch_lag,
      metrics.RegisterHistogram("novacron_cluster_watch_lag_seconds",
                                "From this node's publish to its etcd watch delivering it.", {},
                                observe::ExponentialBuckets(0.001, 2, 14)));
  NOVACRON_ASSIGN_OR_RETURN(
      members_,
      metrics.RegisterGauge("novacron_cluster_members", "Cluster members by state.", {"state"}));
  NOVACRON_ASSIGN_OR_RETURN(
      auto leader, metrics.RegisterGauge("novacron_cluster_is_leader", "1 while this node leads."));
  NOVACRON_ASSIGN_OR_RETURN(auto joined,
                            metrics.RegisterGauge("novacron_cluster_joined",
                                                  "1 while this node is a cluster member (its "
                                                  "lease is alive and its record published)."));
  leader_changes_ = &changes->Get();
  fences_ = &fences->Get();
  renew_ok_ = &renewals->WithLabels({"ok"});
  renew_failed_ = &renewals->WithLabels({"failed"});
  watch_lag_ = &watch_lag->Get();
  is_leader_ = &leader->Get();
  joined_ = &joined->Get();
  metrics_registered_ = true;
  return {};
}

cluster::NodeRecord DescribeThisNode(const Runtime& runtime, vm::VmManager* manager,
                                     const EnvironmentComponent* environment) {
  const config::Config& config = runtime.config();
  cluster::NodeRecord record;
  record.node_id = config.system.node_id;
  record.version = runtime.version;
  // The API's bound address, once the api component wrote it (it starts after the cluster).
  std::ifstream addr(ApiAddressFile(config));
  if (!std::getline(addr, record.api_address)) {
    record.api_address = FormatHostPort(config.api.host, config.api.port);
  }
  record.dwcp_address = FormatHostPort(config.network.listen_address, config.network.bind_port);
  if (environment != nullptr) {
    record.network_mode = std::string(dwcp::NetworkModeName(environment->Current().mode));
  }
  if (manager != nullptr) {
    Result<vm::NodeView> node = manager->Node();
    if (node.ok()) {
      record.capacity = {node->capacity.vcpus_limit(),
                         static_cast<int64_t>(node->capacity.memory_mib_limit())};
      record.allocated = {node->capacity.vcpus_allocated,
                          static_cast<int64_t>(node->capacity.memory_mib_allocated)};
    }
  }
  return record;
}

Status ClusterComponent::DoStart(lifecycle::StartContext& ctx) {
  const config::ClusterConfig& cluster = config().cluster;
  NOVACRON_RETURN_IF_ERROR(RegisterMetrics());
  manager_ = ctx.Dep<VmManagerComponent>().manager();
  environment_ = &ctx.Dep<EnvironmentComponent>();
  NOVACRON_ASSIGN_OR_RETURN(std::shared_ptr<cluster::EtcdClient> client, ConnectEtcd(cluster));
  {
    std::lock_guard lock(mu_);
    client_ = client;
  }
  NOVACRON_RETURN_IF_ERROR(ReachEtcd(*client, cluster, ctx.stop_token()));

  cluster::ClusterAgent::Options agent;
  agent.prefix = cluster.prefix;
  agent.node_id = config().system.node_id;
  agent.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(cluster.lease_ttl);
  // The agent asks on every tick and every membership event. Capacity and allocation read the
  // hypervisor and every VM record, so they are redone at most every 10 s (the leader counts
  // allocations from the records itself: docs/cluster.md, "HA failover"); the addresses are read
  // each time, so the API's bound port shows as soon as it is written.
  agent.describe = [this, sized = cluster::NodeRecord(),
                    at = std::optional<lifecycle::Clock::time_point>()]() mutable {
    const auto now = lifecycle::Clock::now();
    if (!at || now - *at >= std::chrono::seconds(10)) {
      sized = DescribeThisNode(runtime(), manager_, nullptr);
      at = now;
    }
    cluster::NodeRecord record = DescribeThisNode(runtime(), nullptr, environment_);
    record.capacity = sized.capacity;
    record.allocated = sized.allocated;
    return record;
  };
  agent.on_fenced = [this, log = log()] {
    fences_->Inc();
    log.Error("lost the etcd lease: fenced, acting on no VM until this node is a member again",
              {{"lease_ttl_s", static_cast<int64_t>(config().cluster.lease_ttl.count())}});
    NotifyMembership(false);
  };
  agent.on_rejoined = [this, log = log()] {
    log.Info("cluster member", {});
    NotifyMembership(true);
  };
  agent.on_leader_change = [this, log = log()](const std::optional<cluster::Leadership>& leader) {
    if (leader) {
      leader_changes_->Inc();
      log.Info("cluster leader", {{"leader", leader->node_id}, {"term", leader->term}});
    } else {
      log.Warn("cluster has no leader", {});
    }
  };
  agent.on_renewal = [this](std::chrono::duration<double> latency, bool ok) {
    (ok ? renew_ok_ : renew_failed_)->ObserveDuration(latency);
  };
  agent.on_watch_lag = [this](std::chrono::duration<double> lag) {
    watch_lag_->ObserveDuration(lag);
  };
  agent.on_refresh = [this](const cluster::ClusterView& view) {
    int counts[3] = {0, 0, 0};
    for (const cluster::Member& m : view.members.members) ++counts[static_cast<int>(m.state)];
    for (auto state : {cluster::MemberState::kReady, cluster::MemberState::kCordoned,
                       cluster::MemberState::kLost}) {
      members_->WithLabels({cluster::MemberStateName(state)}).Set(counts[static_cast<int>(state)]);
    }
    is_leader_->Set(view.is_leader ? 1 : 0);
    joined_->Set(view.joined ? 1 : 0);
  };
  std::lock_guard lock(mu_);
  agent_ = cluster::ClusterAgent::Start(*client_, std::move(agent));
  log().Info("cluster agent started", {{"endpoints", JoinEndpoints(cluster.etcd_endpoints)},
                                       {"prefix", cluster.prefix},
                                       {"node_id", config().system.node_id}});
  return {};
}

void ClusterComponent::SetMembershipHandler(std::function<void(bool member)> handler) {
  std::lock_guard lock(handler_mu_);
  membership_handler_ = std::move(handler);
}

void ClusterComponent::NotifyMembership(bool member) {
  std::lock_guard lock(handler_mu_);
  if (membership_handler_) membership_handler_(member);
}

std::vector<cluster::EndpointStatus> ClusterComponent::EtcdHealth() const {
  std::shared_ptr<cluster::EtcdClient> client;
  {
    std::lock_guard lock(mu_);
    client = client_;
  }
  return client ? client->Health() : std::vector<cluster::EndpointStatus>{};
}

Status ClusterComponent::Stop(lifecycle::StopContext&) {
  std::unique_ptr<cluster::ClusterAgent> agent;
  std::shared_ptr<cluster::EtcdClient> client;
  {
    std::lock_guard lock(mu_);
    agent = std::move(agent_);
    client = std::move(client_);
  }
  agent.reset();  // resigns and revokes the lease: the others see this node leave at once
  client.reset();
  if (joined_ != nullptr) joined_->Set(0);
  if (is_leader_ != nullptr) is_leader_->Set(0);
  return {};
}

lifecycle::HealthReport ClusterComponent::Health() const {
  cluster::ClusterView view;
  {
    std::lock_guard lock(mu_);
    if (agent_ == nullptr) return {};
    view = agent_->View();
  }
  if (!view.joined) {
    return lifecycle::HealthReport::Degraded(
        "not a cluster member" + (view.error.empty() ? std::string() : ": " + view.error));
  }
  return {};
}

}  // namespace novacron::components
