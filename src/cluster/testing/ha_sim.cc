#include "cluster/testing/ha_sim.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "cluster/etcd_session.h"
#include "cluster/vm_entry.h"
#include "store/sqlite_state_store.h"
#include "vm/manager_impl.h"

namespace novacron::cluster::testing {
namespace {

std::string Seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fs", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

// One node's hypervisor, in memory. A crashed host loses its domains and answers nothing; starts
// can be held (a slow start) until released. No events: the manager settles from its operations
// and its reconciles, which read the power state.
class SimHypervisor final : public vm::Hypervisor {
 public:
  explicit SimHypervisor(std::string node) : uri_("sim:///" + node), node_(std::move(node)) {}

  std::string_view uri() const override { return uri_; }
  Result<vm::NodeInventory> Inventory() override {
    std::lock_guard lock(mu_);
    NOVACRON_RETURN_IF_ERROR(Up());
    return vm::NodeInventory{node_, "Sim", 16, 65536};
  }
  Result<std::vector<vm::DomainStatus>> ListDomains() override {
    std::lock_guard lock(mu_);
    NOVACRON_RETURN_IF_ERROR(Up());
    std::vector<vm::DomainStatus> out;
    for (const auto& [uuid, d] : domains_) out.push_back(d);
    return out;
  }
  Result<vm::DomainStatus> GetDomain(const std::string& uuid) override {
    std::lock_guard lock(mu_);
    NOVACRON_RETURN_IF_ERROR(Up());
    auto d = domains_.find(uuid);
    if (d == domains_.end()) return NotFound("no domain " + uuid);
    return d->second;
  }
  Status Define(const std::string& uuid, const vm::VmSpec& spec) override {
    std::lock_guard lock(mu_);
    NOVACRON_RETURN_IF_ERROR(Up());
    if (domains_.count(uuid) > 0) return AlreadyExists("domain " + uuid + " exists");
    domains_[uuid] = {uuid, spec.name, vm::PowerState::kShutOff, spec.vcpus, spec.memory_mib};
    return {};
  }
  Status Start(const std::string& uuid) override {
    std::unique_lock lock(mu_);
    released_.wait(lock, [&] { return !hold_starts_; });
    return SetPower(uuid, vm::PowerState::kRunning);
  }
  Status Stop(const std::string& uuid, std::chrono::milliseconds) override {
    std::lock_guard lock(mu_);
    return SetPower(uuid, vm::PowerState::kShutOff);
  }
  Status Destroy(const std::string& uuid) override {
    std::lock_guard lock(mu_);
    return SetPower(uuid, vm::PowerState::kShutOff);
  }
  Status Reboot(const std::string& uuid) override {
    std::lock_guard lock(mu_);
    return SetPower(uuid, vm::PowerState::kRunning);
  }
  Status Undefine(const std::string& uuid, bool) override {
    std::lock_guard lock(mu_);
    NOVACRON_RETURN_IF_ERROR(Up());
    auto d = domains_.find(uuid);
    if (d == domains_.end()) return NotFound("no domain " + uuid);
    if (vm::IsPoweredOn(d->second.power)) return FailedPrecondition("domain is running");
    domains_.erase(d);
    return {};
  }
  void SetEventCallback(vm::DomainEventCallback) override {}

  void Crash() {
    std::lock_guard lock(mu_);
    down_ = true;
    domains_.clear();
    hold_starts_ = false;
    released_.notify_all();
  }
  void Hold(bool hold) {
    std::lock_guard lock(mu_);
    hold_starts_ = hold;
    released_.notify_all();
  }
  bool Running(const std::string& uuid) {
    std::lock_guard lock(mu_);
    auto d = domains_.find(uuid);
    return !down_ && d != domains_.end() && vm::IsPoweredOn(d->second.power);
  }

 private:
  // REQUIRES: mu_ held.
  Status Up() const { return down_ ? Unavailable("host " + node_ + " is down") : Status{}; }
  // REQUIRES: mu_ held.
  Status SetPower(const std::string& uuid, vm::PowerState power) {
    NOVACRON_RETURN_IF_ERROR(Up());
    auto d = domains_.find(uuid);
    if (d == domains_.end()) return NotFound("no domain " + uuid);
    d->second.power = power;
    return {};
  }

  const std::string uri_;
  const std::string node_;
  std::mutex mu_;
  std::condition_variable released_;
  std::map<std::string, vm::DomainStatus> domains_;  // guarded by mu_
  bool down_ = false;                                // guarded by mu_
  bool hold_starts_ = false;                         // guarded by mu_
};

// The shared records as one node reaches them: everything fails while its link is cut.
class LinkedVmStore final : public store::VmStore {
 public:
  LinkedVmStore(store::VmStore& shared, const std::atomic<bool>& connected)
      : shared_(shared), connected_(connected) {}

  Result<store::VmRecord> Create(const store::VmRecord& r,
                                 const store::IdempotencyRecord* i) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.Create(r, i);
  }
  Result<store::VmRecord> Get(const std::string& id) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.Get(id);
  }
  Result<store::VmRecord> GetByName(const std::string& name) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.GetByName(name);
  }
  Result<store::VmPage> List(const store::VmListFilter& f, const store::VmPageRequest& p) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.List(f, p);
  }
  Result<std::vector<store::VmRecord>> ListAll() override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.ListAll();
  }
  Result<store::VmRecord> Update(const store::VmRecord& r, int64_t v) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.Update(r, v);
  }
  Status Delete(const std::string& id, std::optional<int64_t> v) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.Delete(id, v);
  }
  Result<store::IdempotencyRecord> GetIdempotency(const std::string& key) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.GetIdempotency(key);
  }
  Status PutIdempotency(const store::IdempotencyRecord& r) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.PutIdempotency(r);
  }
  Result<int> PruneIdempotency(std::chrono::system_clock::time_point before) override {
    NOVACRON_RETURN_IF_ERROR(Link());
    return shared_.PruneIdempotency(before);
  }

 private:
  Status Link() const {
    return connected_.load() ? Status{} : Unavailable("etcd unreachable (link cut)");
  }

  store::VmStore& shared_;
  const std::atomic<bool>& connected_;  // the sim's thread cuts and heals the link
};

struct HaSim::Node {
  std::string id;
  bool alive = true;
  std::atomic<bool> connected{true};  // read by the manager's workers through LinkedVmStore
  bool fenced = false;
  bool holding = false;
  Clock::time_point last_ok_send{};
  std::optional<Clock::time_point> lease_expiry{};  // etcd's side: nullopt = no lease
  ClusterView view{};                               // what the node last saw
  std::unique_ptr<SimHypervisor> hypervisor;
  std::unique_ptr<LinkedVmStore> store;
  std::unique_ptr<vm::VmManager> manager;
  vm::VmOwnerDuties* duties = nullptr;
  std::unique_ptr<LeaderLoop> loop;
  std::unique_ptr<Env> env;
};

// The leader loop's world as one node sees it.
class HaSim::Env final : public LeaderEnvironment {
 public:
  Env(HaSim& sim, Node& node) : sim_(sim), node_(node) {}
  Clock::time_point Now() override { return sim_.now_; }
  ClusterView View() override { return node_.view; }
  std::vector<VmEntry> Vms() override {
    std::vector<VmEntry> vms;
    Result<std::vector<store::VmRecord>> records = node_.store->ListAll();
    if (!records.ok()) return vms;
    for (const store::VmRecord& r : *records) {
      if (Result<VmEntry> entry = VmEntryOf(r); entry.ok()) vms.push_back(*entry);
    }
    return vms;
  }
  Status Apply(const LeaderAction& action, const Leadership& term) override {
    if (!node_.connected) return Unavailable("etcd unreachable (link cut)");
    // The guard: the leader key still holds this term.
    if (!sim_.leader_ || sim_.leader_->term != term.term) {
      return FailedPrecondition("term " + std::to_string(term.term) + " is over");
    }
    NOVACRON_ASSIGN_OR_RETURN(store::VmRecord record, node_.store->Get(action.vm_id));
    if (record.version != action.version) return Conflict("moved on");
    ApplyLeaderAction(action, record, "t=" + Seconds(sim_.elapsed()));
    return node_.store->Update(record, action.version).status();
  }

 private:
  HaSim& sim_;
  Node& node_;
};

HaSim::HaSim(Options options) : options_(options) {
  store::SqliteStoreOptions store_options;
  store_options.data_dir = dir_.path() / "records";
  auto opened = store::OpenSqliteStateStore(store_options);
  if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
  records_ = std::move(opened).value();
  start_ = now_ = Clock::time_point{} + std::chrono::hours(1);
  for (int i = 1; i <= options_.nodes; ++i) {
    auto node = std::make_unique<Node>();
    node->id = "n" + std::to_string(i);
    node->hypervisor = std::make_unique<SimHypervisor>(node->id);
    node->store = std::make_unique<LinkedVmStore>(records_->vms(), node->connected);
    vm::ManagerDeps deps;
    deps.logger = observe::Logger::Discard();
    deps.store = node->store.get();
    deps.hypervisor = node->hypervisor.get();
    vm::ManagerOptions manager_options;
    manager_options.node_id = node->id;
    manager_options.workers = 2;
    auto manager = vm::NewVmManager(deps, manager_options);
    if (!manager.ok()) throw std::runtime_error(manager.status().ToString());
    node->manager = std::move(manager).value();
    node->duties = dynamic_cast<vm::VmOwnerDuties*>(node->manager.get());
    node->loop = std::make_unique<LeaderLoop>(
        LeaderLoop::Options{options_.failover_grace, options_.strategy});
    node->env = std::make_unique<Env>(*this, *node);
    node->last_ok_send = now_;
    node->lease_expiry = now_ + options_.lease_ttl;
    nodes_.push_back(std::move(node));
  }
  Elect();
  for (auto& n : nodes_) n->view = TrueView(n->id);
}

HaSim::~HaSim() {
  for (auto& n : nodes_) {
    n->hypervisor->Hold(false);
    n->manager.reset();  // joins its workers before the store and hypervisor go
  }
}

HaSim::Node& HaSim::node(const std::string& id) {
  for (auto& n : nodes_) {
    if (n->id == id) return *n;
  }
  throw std::invalid_argument("no node " + id);
}

std::string HaSim::Create(const std::string& name, bool ha, const std::string& via) {
  vm::VmSpec spec;
  spec.name = name;
  spec.vcpus = 1;
  spec.memory_mib = 512;
  spec.ha = ha;
  Result<vm::Vm> created = node(via).manager->Create(spec, /*start=*/true);
  if (!created.ok()) throw std::runtime_error(created.status().ToString());
  return created->id;
}

void HaSim::Session(Node& n) {
  const auto ttl = options_.lease_ttl;
  if (n.connected) {
    if (n.fenced || !n.lease_expiry) {
      // A member again: a new lease, then it acts on its VMs again.
      n.lease_expiry = now_ + ttl;
      n.last_ok_send = now_;
      n.fenced = false;
      n.duties->SetFenced(false);
      (void)n.manager->Reconcile();
    } else if (now_ - n.last_ok_send >= ttl / 3) {
      n.lease_expiry = now_ + ttl;
      n.last_ok_send = now_;
    }
  }
  // EtcdSession's rule: fenced a margin before the deadline of the last renewal that got through.
  if (!n.fenced && now_ >= n.last_ok_send + ttl - FenceMargin(ttl)) {
    n.fenced = true;
    n.duties->SetFenced(true);
    n.duties->FenceHaDomains();
  }
}

void HaSim::ExpireLeases() {
  for (auto& n : nodes_) {
    if (n->lease_expiry && *n->lease_expiry <= now_) n->lease_expiry.reset();
  }
  // The leader key is bound to its holder's lease.
  if (leader_ && !node(leader_->node_id).lease_expiry) leader_.reset();
}

void HaSim::Elect() {
  if (leader_) return;
  for (auto& n : nodes_) {
    if (n->alive && n->connected && !n->fenced && n->lease_expiry) {
      leader_ = Leadership{n->id, next_term_++, 0};
      return;
    }
  }
}

ClusterView HaSim::TrueView(const std::string& node_id) const {
  ClusterView view;
  view.leader = leader_;
  view.is_leader = leader_ && leader_->node_id == node_id;
  for (const auto& n : nodes_) {
    Member member;
    member.record.node_id = n->id;
    member.record.capacity = {16, 65536};
    member.state = n->lease_expiry ? MemberState::kReady : MemberState::kLost;
    view.members.members.push_back(member);
    if (n->id == node_id) view.joined = n->lease_expiry.has_value() && !n->fenced;
  }
  return view;
}

void HaSim::Step() {
  now_ += options_.tick;
  for (auto& n : nodes_) {
    if (n->alive) Session(*n);
  }
  ExpireLeases();
  Elect();
  for (auto& n : nodes_) {
    if (n->alive && n->connected) n->view = TrueView(n->id);  // else: what it saw last
  }
  // Owners: what the watch would trigger, as one full reconcile per step.
  for (auto& n : nodes_) {
    if (!n->alive || n->fenced) continue;
    (void)n->manager->Reconcile();
    if (!n->holding) vm::DrainVmManager(*n->manager);
  }
  // Every node that believes it leads runs a round (a cut-off one only learns it is deposed
  // when its writes fail).
  for (auto& n : nodes_) {
    if (n->alive && !n->fenced) (void)n->loop->Round(*n->env);
  }
  for (auto& n : nodes_) {
    if (n->alive && !n->holding) vm::DrainVmManager(*n->manager);
  }
  CheckInvariants();
}

void HaSim::RunFor(std::chrono::milliseconds duration) {
  const auto end = now_ + duration;
  while (now_ < end) Step();
}

bool HaSim::RunUntil(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto end = now_ + limit;
  while (!done()) {
    if (now_ >= end) return false;
    Step();
  }
  return true;
}

void HaSim::Crash(const std::string& id) {
  Node& n = node(id);
  n.alive = false;
  n.hypervisor->Crash();
}

void HaSim::Cut(const std::string& id) { node(id).connected = false; }
void HaSim::Heal(const std::string& id) { node(id).connected = true; }

void HaSim::HoldStarts(const std::string& id) {
  node(id).holding = true;
  node(id).hypervisor->Hold(true);
}

void HaSim::ReleaseStarts(const std::string& id) {
  node(id).hypervisor->Hold(false);
  node(id).holding = false;
  vm::DrainVmManager(*node(id).manager);
}

store::VmRecord HaSim::Record(const std::string& id) {
  Result<store::VmRecord> record = records_->vms().Get(id);
  if (!record.ok()) throw std::runtime_error(record.status().ToString());
  return *record;
}

std::set<std::string> HaSim::RunningOn(const std::string& id) {
  std::set<std::string> on;
  for (auto& n : nodes_) {
    if (n->hypervisor->Running(id)) on.insert(n->id);
  }
  return on;
}

std::optional<std::string> HaSim::Leader() const {
  if (!leader_) return std::nullopt;
  return leader_->node_id;
}

bool HaSim::fenced(const std::string& id) const {
  for (const auto& n : nodes_) {
    if (n->id == id) return n->fenced;
  }
  return false;
}

bool HaSim::has_lease(const std::string& id) const {
  for (const auto& n : nodes_) {
    if (n->id == id) return n->lease_expiry.has_value();
  }
  return false;
}

std::string HaSim::Stamp() const { return "t=" + Seconds(elapsed()); }

void HaSim::CheckInvariants() {
  Result<std::vector<store::VmRecord>> records = records_->vms().ListAll();
  if (!records.ok()) return;
  for (const store::VmRecord& r : *records) {
    std::set<std::string> on = RunningOn(r.id);
    if (on.size() > 1) {
      std::string where;
      for (const std::string& n : on) where += (where.empty() ? "" : " and ") + n;
      violations_.push_back(Stamp() + ": vm " + r.name + " runs on " + where);
    }
  }
}

}  // namespace novacron::cluster::testing
