#include "components/orchestrator_component.h"

#include <algorithm>

#include "cluster/vm_entry.h"
#include "components/cluster_component.h"
#include "components/database_component.h"
#include "components/vm_manager_component.h"
#include "observe/log_format.h"
#include "store/etcd/etcd_store_codec.h"

namespace novacron::components {
namespace {

constexpr auto kLeaderRoundEvery = std::chrono::seconds(1);

}  // namespace

OrchestratorComponent::~OrchestratorComponent() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status OrchestratorComponent::RegisterMetrics() {
  if (actions_ != nullptr) return {};
  NOVACRON_ASSIGN_OR_RETURN(
      actions_, runtime().metrics.RegisterCounter(
                    "novacron_cluster_leader_actions_total",
                    "Decisions this node carried out as the cluster's leader: place, failover, "
                    "unplaceable, node_lost.",
                    {"action"}));
  return {};
}

Status OrchestratorComponent::DoStart(lifecycle::StartContext& ctx) {
  NOVACRON_RETURN_IF_ERROR(RegisterMetrics());
  store_ = ctx.Dep<DatabaseComponent>().store();
  etcd_ = dynamic_cast<store::EtcdStateStore*>(store_.get());
  if (etcd_ == nullptr) return FailedPrecondition("the orchestrator needs the etcd state store");
  VmManagerComponent& vms = ctx.Dep<VmManagerComponent>();
  manager_ = vms.manager();
  duties_ = vms.owner_duties();
  if (manager_ == nullptr || duties_ == nullptr) {
    return FailedPrecondition("the vm manager is not running in cluster mode");
  }
  cluster_ = &ctx.Dep<ClusterComponent>();
  node_id_ = config().system.node_id;
  strategy_ = config().cluster.placement == config::PlacementStrategy::kPack
                  ? cluster::PlacementStrategy::kPack
                  : cluster::PlacementStrategy::kSpread;
  leader_loop_.emplace(cluster::LeaderLoop::Options{
      std::chrono::duration_cast<std::chrono::milliseconds>(config().cluster.failover_grace),
      strategy_});
  {
    // The first listing runs on the worker, beside the rest of the boot: ready does not wait on
    // per-record work (docs/cluster.md, "Ownership").
    std::lock_guard lock(mu_);
    stopping_ = false;
    relist_ = true;
  }
  cluster_->SetMembershipHandler([this](bool member) { OnMembership(member); });
  worker_ = std::thread([this] { Run(); });
  log().Info("orchestrator started",
             {{"node_id", node_id_}, {"placement", cluster::PlacementStrategyName(strategy_)}});
  return {};
}

Status OrchestratorComponent::Relist() {
  if (watch_) watch_->Stop();
  const std::string dir = etcd_->etcd_vms().keys().VmDir();
  Result<cluster::EtcdClient::Range> range = etcd_->client().GetPrefix(dir);
  if (!range.ok()) return store::EtcdStoreError(range.status(), "list vm records");
  std::map<std::string, cluster::VmEntry> index;
  for (const cluster::KeyValue& kv : range->kvs) {
    const std::string id = kv.key.substr(dir.size());
    Result<store::VmRecord> record = store::DecodeVm(kv, id);
    Result<cluster::VmEntry> entry =
        record.ok() ? cluster::VmEntryOf(*record) : Result<cluster::VmEntry>(record.status());
    if (!entry.ok()) {
      log().Warn("skipping an unreadable vm record", {{"error", entry.status().ToString()}});
      continue;
    }
    index[id] = std::move(entry).value();
  }
  {
    std::lock_guard lock(mu_);
    vms_ = std::move(index);
    relist_ = false;
    leader_wanted_ = true;
  }
  watch_ = cluster::EtcdWatch::Start(
      etcd_->client(), dir, range->revision + 1,
      [this](const std::vector<cluster::WatchEvent>& events) { OnVmEvents(events); },
      [this](int64_t) {
        std::lock_guard lock(mu_);
        relist_ = true;
        wake_.notify_all();
      });
  return {};
}

void OrchestratorComponent::OnVmEvents(const std::vector<cluster::WatchEvent>& events) {
  const std::string dir = etcd_->etcd_vms().keys().VmDir();
  std::lock_guard lock(mu_);
  for (const cluster::WatchEvent& event : events) {
    if (event.kv.key.size() <= dir.size()) continue;
    const std::string id = event.kv.key.substr(dir.size());
    auto known = vms_.find(id);
    const bool was_mine = known != vms_.end() && known->second.owner == node_id_;
    if (event.type == cluster::WatchEvent::Type::kDelete) {
      if (known != vms_.end()) vms_.erase(known);
      if (was_mine) to_reconcile_.insert(id);
      continue;
    }
    Result<store::VmRecord> record = store::DecodeVm(event.kv, id);
    Result<cluster::VmEntry> entry =
        record.ok() ? cluster::VmEntryOf(*record) : Result<cluster::VmEntry>(record.status());
    if (!entry.ok()) continue;  // reported by the relist and by reconciliation
    if (was_mine || entry->owner == node_id_) to_reconcile_.insert(id);
    if (entry->owner.empty()) leader_wanted_ = true;
    vms_[id] = std::move(entry).value();
  }
  duties_->NoteRecordChanged();  // rendered lists of this node's API are stale now
  wake_.notify_all();
}

void OrchestratorComponent::OnMembership(bool member) {
  duties_->SetFenced(!member);
  if (!member) {
    // Before etcd can expire our lease and the leader can restart them elsewhere
    // (docs/cluster.md, "Fencing").
    duties_->FenceHaDomains();
    return;
  }
  std::lock_guard lock(mu_);
  reconcile_all_ = true;
  wake_.notify_all();
}

void OrchestratorComponent::Run() {
  auto next_round = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_until(lock, next_round, [&] {
      return stopping_ || relist_ || reconcile_all_ || leader_wanted_ || !to_reconcile_.empty();
    });
    if (stopping_) break;
    const bool relist = std::exchange(relist_, false);
    const bool all = std::exchange(reconcile_all_, false);
    std::set<std::string> ids = std::exchange(to_reconcile_, {});
    const bool round =
        std::exchange(leader_wanted_, false) || std::chrono::steady_clock::now() >= next_round;
    lock.unlock();
    if (relist) {
      Status listed = Relist();
      if (!listed.ok()) {
        log().Warn("cannot list the vm records", {{"error", listed.ToString()}});
        std::unique_lock again(mu_);
        relist_ = true;  // tried again in a second
        wake_.wait_for(again, std::chrono::seconds(1), [&] { return stopping_; });
      }
    }
    if (all) {
      Result<vm::ReconcileReport> report = manager_->Reconcile();
      if (!report.ok()) log().Warn("reconcile failed", {{"error", report.status().ToString()}});
    }
    for (const std::string& id : ids) {
      Status done = duties_->ReconcileVm(id);
      if (!done.ok() && done.code() != ErrorCode::kUnavailable) {
        log().Warn("cannot reconcile vm", {{"id", id}, {"error", done.ToString()}});
      }
    }
    if (round) {
      LeaderRound();
      next_round = std::chrono::steady_clock::now() + kLeaderRoundEvery;
    }
    lock.lock();
  }
}

std::vector<cluster::PlacementNode> OrchestratorComponent::Nodes() const {
  std::vector<cluster::PlacementNode> nodes;
  cluster::ClusterAgent* agent = cluster_->agent();
  if (agent == nullptr) return nodes;
  for (const cluster::Member& member : agent->View().members.members) {
    cluster::PlacementNode node;
    node.record = member.record;
    node.state = member.state;
    nodes.push_back(std::move(node));
  }
  return nodes;
}

cluster::ClusterView OrchestratorComponent::View() {
  cluster::ClusterAgent* agent = cluster_->agent();
  return agent != nullptr ? agent->View() : cluster::ClusterView{};
}

std::vector<cluster::VmEntry> OrchestratorComponent::Vms() {
  std::lock_guard lock(mu_);
  std::vector<cluster::VmEntry> vms;
  vms.reserve(vms_.size());
  for (const auto& [id, entry] : vms_) vms.push_back(entry);
  return vms;
}

void OrchestratorComponent::LeaderRound() {
  cluster::LeaderLoop::RoundResult round = leader_loop_->Round(*this);
  if (round.new_term) log().Info("leading: placement and failover are this node's", {});
  for (const std::string& node : round.newly_lost) log().Warn("node lost", {{"node", node}});
  for (const auto& [action, status] : round.failed) {
    if (status.code() == ErrorCode::kFailedPrecondition) {
      log().Warn("no longer the leader: the round ends", {{"error", status.ToString()}});
    } else if (status.code() != ErrorCode::kConflict && status.code() != ErrorCode::kNotFound) {
      log().Warn("leader action failed", {{"action", cluster::LeaderActionName(action.kind)},
                                          {"id", action.vm_id},
                                          {"error", status.ToString()}});
    }
  }
}

Status OrchestratorComponent::Apply(const cluster::LeaderAction& action,
                                    const cluster::Leadership& term) {
  store::EtcdVmStore& vms = etcd_->etcd_vms();
  NOVACRON_ASSIGN_OR_RETURN(store::VmRecord record, vms.Get(action.vm_id));
  if (record.version != action.version) {
    return Conflict("vm " + action.vm_id + " moved on since the decision");
  }
  const std::string from = record.owner;
  cluster::ApplyLeaderAction(action, record,
                             observe::FormatRfc3339Millis(std::chrono::system_clock::now()));
  cluster::ClusterAgent* agent = cluster_->agent();
  if (agent == nullptr) return FailedPrecondition("the cluster agent stopped");
  NOVACRON_RETURN_IF_ERROR(
      vms.UpdateAsLeader(record, action.version, term.Guard(agent->election().key())).status());
  actions_->WithLabels({std::string(cluster::LeaderActionName(action.kind))}).Inc();
  observe::Fields fields = {{"action", std::string(cluster::LeaderActionName(action.kind))},
                            {"vm", record.name},
                            {"id", record.id}};
  if (!action.node_id.empty()) fields.push_back({"node", action.node_id});
  if (!from.empty()) fields.push_back({"from", from});
  if (!action.reason.empty()) fields.push_back({"reason", action.reason});
  using Kind = cluster::LeaderAction::Kind;
  if (action.kind == Kind::kPlace || action.kind == Kind::kFailover) {
    log().Info("vm placed", std::move(fields));
  } else {
    log().Warn("vm not placed", std::move(fields));
  }
  return {};
}

Result<cluster::PlacementExplanation> OrchestratorComponent::ExplainPlacement(
    const std::string& id_or_name) const {
  std::vector<cluster::VmEntry> vms;
  std::optional<cluster::VmEntry> target;
  {
    std::lock_guard lock(mu_);
    if (etcd_ == nullptr) return Unavailable("the orchestrator is not running");
    for (const auto& [id, entry] : vms_) {
      vms.push_back(entry);
      if (id == id_or_name || entry.name == id_or_name) target = entry;
    }
  }
  if (!target) return NotFound("no vm with id or name '" + id_or_name + "'");
  cluster::PlacementExplanation out;
  out.vm_id = target->id;
  out.vm_name = target->name;
  out.owner = target->owner;
  out.strategy = std::string(cluster::PlacementStrategyName(strategy_));
  std::vector<cluster::PlacementNode> nodes = cluster::BookedNodes(Nodes(), vms, target->id);
  out.decision = cluster::Place(target->request, nodes, strategy_, /*explain=*/true);
  return out;
}

Status OrchestratorComponent::Stop(lifecycle::StopContext&) {
  if (cluster_ != nullptr) cluster_->SetMembershipHandler({});
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (watch_) watch_->Stop();
  watch_.reset();
  std::lock_guard lock(mu_);
  vms_.clear();
  etcd_ = nullptr;
  store_.reset();
  return {};
}

lifecycle::HealthReport OrchestratorComponent::Health() const {
  std::lock_guard lock(mu_);
  if (relist_) {
    return lifecycle::HealthReport::Degraded(
        "listing the vm records (at start, or after the "
        "watch lost history)");
  }
  return {};
}

}  // namespace novacron::components
