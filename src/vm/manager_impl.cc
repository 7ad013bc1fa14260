#include "vm/manager_impl.h"

#include <nlohmann/json.hpp>

#include "vm/domain_xml.h"
#include "vm/manager_internal.h"
#include "vm/vm_record.h"

namespace novacron::vm {
namespace {

constexpr int kMutateAttempts = 8;

Status CheckIfMatch(const store::VmRecord& record, std::optional<int64_t> if_match) {
  if (if_match && *if_match != record.version) {
    return Conflict("vm '" + record.name + "' was modified: it is at version " +
                    std::to_string(record.version) + ", If-Match named " +
                    std::to_string(*if_match));
  }
  return {};
}

Result<ManagerMetrics> RegisterMetrics(observe::Registry* registry) {
  ManagerMetrics m;
  if (registry == nullptr) return m;
  NOVACRON_ASSIGN_OR_RETURN(
      m.vms, registry->RegisterGauge("novacron_vms", "VMs on this node by state.", {"state"}));
  NOVACRON_ASSIGN_OR_RETURN(
      m.operations,
      registry->RegisterCounter("novacron_vm_operations_total",
                                "VM operations by kind and result (ok or the error code).",
                                {"operation", "result"}));
  NOVACRON_ASSIGN_OR_RETURN(
      m.drift,
      registry->RegisterGauge("novacron_vm_drift",
                              "Disagreements between records and the hypervisor found by the last "
                              "reconciliation: missing_on_hypervisor, unknown_domain.",
                              {"kind"}));
  NOVACRON_ASSIGN_OR_RETURN(
      m.events,
      registry->RegisterCounter("novacron_vm_events_total",
                                "Domain lifecycle events from the hypervisor.", {"event"}));
  NOVACRON_ASSIGN_OR_RETURN(
      m.reconciles, registry->RegisterCounter(
                        "novacron_vm_reconcile_runs_total",
                        "Reconciliation runs of records against the hypervisor.", {"result"}));
  for (VmState s : kAllVmStates) m.vms->WithLabels({std::string(VmStateName(s))}).Set(0);
  return m;
}

}  // namespace

VmManagerImpl::VmManagerImpl(const ManagerDeps& deps, const ManagerOptions& options,
                             NodeInventory inventory, ManagerMetrics metrics)
    : store_(*deps.store),
      hypervisor_(*deps.hypervisor),
      log_(deps.logger),
      options_(options),
      metrics_(metrics),
      inventory_(std::move(inventory)),
      jobs_(std::max(1, options.workers)) {
  hypervisor_.SetEventCallback(
      [this](const std::string& uuid, VmEvent event) { OnDomainEvent(uuid, event); });
}

VmManagerImpl::~VmManagerImpl() {
  hypervisor_.SetEventCallback([](const std::string&, VmEvent) {});
  jobs_.Shutdown();
}

Result<store::VmRecord> VmManagerImpl::Find(const std::string& id_or_name) {
  if (IsCanonicalUuid(id_or_name)) {
    Result<store::VmRecord> by_id = store_.Get(id_or_name);
    if (by_id.ok() || by_id.status().code() != ErrorCode::kNotFound) return by_id;
  }
  Result<store::VmRecord> by_name = store_.GetByName(id_or_name);
  if (!by_name.ok() && by_name.status().code() == ErrorCode::kNotFound) {
    return NotFound("no vm with id or name '" + id_or_name + "'");
  }
  return by_name;
}

Result<store::VmRecord> VmManagerImpl::Mutate(const std::string& id,
                                              std::optional<int64_t> if_match,
                                              const Mutation& mutation) {
  for (int attempt = 1;; ++attempt) {
    NOVACRON_ASSIGN_OR_RETURN(store::VmRecord record, store_.Get(id));
    NOVACRON_RETURN_IF_ERROR(CheckIfMatch(record, if_match));
    const std::string before = record.state;
    NOVACRON_ASSIGN_OR_RETURN(bool changed, mutation(record));
    if (!changed) return record;
    Result<store::VmRecord> written = store_.Update(record, record.version);
    if (written.ok()) {
      Bump();
      CountStateChange(before, written->state);
      return written;
    }
    if (written.status().code() != ErrorCode::kConflict || if_match || attempt >= kMutateAttempts) {
      return written.status();
    }
  }
}

Result<store::VmRecord> VmManagerImpl::BeginAction(const std::string& id_or_name, VmAction action,
                                                   std::optional<int64_t> if_match) {
  NOVACRON_ASSIGN_OR_RETURN(store::VmRecord found, Find(id_or_name));
  return Mutate(found.id, if_match, [&](store::VmRecord& record) -> Result<bool> {
    std::optional<VmState> from = ParseVmState(record.state);
    if (!from) return Internal("vm " + record.id + ": unknown stored state " + record.state);
    NOVACRON_ASSIGN_OR_RETURN(VmState to, ApplyAction(record.name, *from, action));
    record.state = std::string(VmStateName(to));
    record.last_error.clear();
    return true;
  });
}

Result<Capacity> VmManagerImpl::CurrentCapacity(const std::string& exclude_id) {
  Capacity capacity;
  {
    std::lock_guard lock(inventory_mu_);
    capacity.cpus = inventory_.cpus;
    capacity.memory_mib = inventory_.memory_mib;
  }
  capacity.cpu_overcommit = options_.cpu_overcommit;
  capacity.memory_overcommit = options_.memory_overcommit;
  NOVACRON_ASSIGN_OR_RETURN(std::vector<store::VmRecord> records, store_.ListAll());
  for (const store::VmRecord& record : records) {
    if (record.id == exclude_id || record.state == VmStateName(VmState::kDeleting)) continue;
    Result<Vm> vm = FromRecord(record);
    if (!vm.ok()) continue;  // reported by reconciliation; holds nothing we can count
    capacity.vcpus_allocated += vm->spec.vcpus;
    capacity.memory_mib_allocated += vm->spec.memory_mib;
  }
  return capacity;
}

Result<Vm> VmManagerImpl::Create(const VmSpec& spec, bool start) {
  std::vector<FieldError> errors = ValidateVmSpec(spec);
  if (!errors.empty()) return InvalidArgument("vm spec: " + FormatFieldErrors(errors));
  std::string id = NewVmId();
  Status result = [&]() -> Status {
    std::lock_guard lock(admission_mu_);
    Result<store::VmRecord> existing = store_.GetByName(spec.name);
    if (existing.ok()) return AlreadyExists("vm name '" + spec.name + "' is taken");
    if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
    NOVACRON_ASSIGN_OR_RETURN(Capacity capacity, CurrentCapacity(""));
    NOVACRON_RETURN_IF_ERROR(Admit(capacity, spec.name, spec.vcpus, spec.memory_mib));
    Status defined = hypervisor_.Define(id, spec);
    if (!defined.ok()) return defined.Wrap("define vm '" + spec.name + "'");
    Result<store::VmRecord> created = store_.Create(NewRecord(id, spec, VmState::kDefined));
    if (!created.ok()) {
      Status undone = hypervisor_.Undefine(id, /*remove_disks=*/true);
      if (!undone.ok()) {
        log_.Error("cannot undo the domain of a vm whose record failed",
                   {{"vm", spec.name}, {"id", id}, {"error", undone.ToString()}});
      }
      return created.status();
    }
    Bump();
    CountStateChange("", created->state);
    return {};
  }();
  CountOperation("create", result);
  if (!result.ok()) return result;
  log_.Info("vm created", {{"vm", spec.name}, {"id", id}});
  if (start) return Start(id, std::nullopt);
  return Get(id);
}

Result<Vm> VmManagerImpl::Get(const std::string& id_or_name) {
  NOVACRON_ASSIGN_OR_RETURN(store::VmRecord record, Find(id_or_name));
  return FromRecord(record);
}

Result<VmList> VmManagerImpl::List(const store::VmListFilter& filter,
                                   const store::VmPageRequest& page) {
  NOVACRON_ASSIGN_OR_RETURN(store::VmPage records, store_.List(filter, page));
  VmList list;
  list.next_cursor = records.next_cursor;
  list.items.reserve(records.items.size());
  for (const store::VmRecord& record : records.items) {
    NOVACRON_ASSIGN_OR_RETURN(Vm vm, FromRecord(record));
    list.items.push_back(std::move(vm));
  }
  return list;
}

Result<Vm> VmManagerImpl::Update(const std::string& id_or_name, const VmPatch& patch,
                                 std::optional<int64_t> if_match) {
  NOVACRON_ASSIGN_OR_RETURN(store::VmRecord found, Find(id_or_name));
  std::lock_guard lock(admission_mu_);
  Result<store::VmRecord> written =
      Mutate(found.id, if_match, [&](store::VmRecord& record) -> Result<bool> {
        NOVACRON_ASSIGN_OR_RETURN(Vm vm, FromRecord(record));
        VmSpec spec = vm.spec;
        if (patch.vcpus) spec.vcpus = *patch.vcpus;
        if (patch.memory_mib) spec.memory_mib = *patch.memory_mib;
        if (patch.labels) spec.labels = *patch.labels;
        std::vector<FieldError> errors = ValidateVmSpec(spec);
        if (!errors.empty()) return InvalidArgument("vm spec: " + FormatFieldErrors(errors));
        if (spec == vm.spec) return false;
        bool resized = spec.vcpus != vm.spec.vcpus || spec.memory_mib != vm.spec.memory_mib;
        if (resized) {
          if (vm.state != VmState::kDefined && vm.state != VmState::kStopped) {
            return Conflict("cannot change vcpus or memory of vm '" + vm.spec.name + "': it is " +
                            std::string(VmStateName(vm.state)) + "; stop it first");
          }
          NOVACRON_ASSIGN_OR_RETURN(Capacity capacity, CurrentCapacity(vm.id));
          NOVACRON_RETURN_IF_ERROR(Admit(capacity, spec.name, spec.vcpus, spec.memory_mib));
          Status redefined = hypervisor_.Redefine(vm.id, spec);
          if (!redefined.ok()) return redefined.Wrap("redefine vm '" + spec.name + "'");
        }
        SetSpec(record, spec);
        return true;
      });
  CountOperation("update", written.status());
  if (!written.ok()) return written.status();
  return FromRecord(*written);
}

Result<Vm> VmManagerImpl::Start(const std::string& id_or_name, std::optional<int64_t> if_match) {
  Result<store::VmRecord> record = BeginAction(id_or_name, VmAction::kStart, if_match);
  if (!record.ok()) {
    CountOperation("start", record.status());
    return record.status();
  }
  std::string id = record->id;
  Post(id, [this, id] { RunStart(id); });
  return FromRecord(*record);
}

Result<Vm> VmManagerImpl::Stop(const std::string& id_or_name, StopMode mode,
                               std::optional<int64_t> if_match) {
  Result<store::VmRecord> record = BeginAction(id_or_name, VmAction::kStop, if_match);
  if (!record.ok()) {
    CountOperation(mode == StopMode::kForce ? "stop" : "shutdown", record.status());
    return record.status();
  }
  std::string id = record->id;
  Post(id, [this, id, mode] { RunStop(id, mode); });
  return FromRecord(*record);
}

Result<Vm> VmManagerImpl::Reboot(const std::string& id_or_name, std::optional<int64_t> if_match) {
  NOVACRON_ASSIGN_OR_RETURN(store::VmRecord found, Find(id_or_name));
  NOVACRON_RETURN_IF_ERROR(CheckIfMatch(found, if_match));
  NOVACRON_ASSIGN_OR_RETURN(Vm vm, FromRecord(found));
  Result<VmState> next = ApplyAction(vm.spec.name, vm.state, VmAction::kReboot);
  Status result = next.ok() ? hypervisor_.Reboot(found.id) : next.status();
  CountOperation("reboot", result);
  if (!result.ok()) return result;
  log_.Info("vm rebooted", {{"vm", vm.spec.name}, {"id", vm.id}});
  return vm;
}

Status VmManagerImpl::Delete(const std::string& id_or_name, std::optional<int64_t> if_match,
                             bool force) {
  Status result = [&]() -> Status {
    NOVACRON_ASSIGN_OR_RETURN(store::VmRecord found, Find(id_or_name));
    NOVACRON_RETURN_IF_ERROR(CheckIfMatch(found, if_match));
    const std::string id = found.id;
    std::optional<VmState> state = ParseVmState(found.state);
    if (force && state &&
        (*state == VmState::kRunning || *state == VmState::kStarting ||
         *state == VmState::kStopping)) {
      Status destroyed = hypervisor_.Destroy(id);
      if (!destroyed.ok() && destroyed.code() != ErrorCode::kNotFound) return destroyed;
      NOVACRON_RETURN_IF_ERROR(Mutate(id, std::nullopt, [](store::VmRecord& r) -> Result<bool> {
                                 r.state = std::string(VmStateName(VmState::kStopped));
                                 return true;
                               }).status());
      if_match.reset();  // our own write moved the version on
    }
    std::string previous;
    NOVACRON_RETURN_IF_ERROR(Mutate(id, if_match, [&](store::VmRecord& r) -> Result<bool> {
                               previous = r.state;
                               std::optional<VmState> from = ParseVmState(r.state);
                               if (!from) return Internal("vm " + id + ": unknown stored state");
                               NOVACRON_ASSIGN_OR_RETURN(
                                   VmState to, ApplyAction(r.name, *from, VmAction::kDelete));
                               r.state = std::string(VmStateName(to));
                               return true;
                             }).status());
    Status undefined = hypervisor_.Undefine(id, /*remove_disks=*/true);
    if (!undefined.ok() && undefined.code() != ErrorCode::kNotFound) {
      // Back to where it was, with the reason; the record must not claim a deletion.
      Result<store::VmRecord> restored =
          Mutate(id, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
            r.state = previous;
            r.last_error = "delete: " + undefined.ToString();
            return true;
          });
      if (!restored.ok()) {
        log_.Error("cannot restore a vm after a failed delete",
                   {{"id", id}, {"error", restored.status().ToString()}});
      }
      return undefined.Wrap("undefine vm '" + found.name + "'");
    }
    NOVACRON_RETURN_IF_ERROR(store_.Delete(id, std::nullopt));
    Bump();
    CountStateChange(std::string(VmStateName(VmState::kDeleting)), "");
    log_.Info("vm deleted", {{"vm", found.name}, {"id", id}});
    return {};
  }();
  CountOperation("delete", result);
  return result;
}

Result<NodeView> VmManagerImpl::Node() {
  NodeView view;
  Result<NodeInventory> fresh = hypervisor_.Inventory();
  {
    std::lock_guard lock(inventory_mu_);
    if (fresh.ok()) inventory_ = *fresh;
    view.inventory = inventory_;
  }
  if (!fresh.ok()) return fresh.status().Wrap("node inventory");
  NOVACRON_ASSIGN_OR_RETURN(view.capacity, CurrentCapacity(""));
  for (VmState s : kAllVmStates) view.vms_by_state[std::string(VmStateName(s))] = 0;
  NOVACRON_ASSIGN_OR_RETURN(std::vector<store::VmRecord> records, store_.ListAll());
  for (const store::VmRecord& r : records) ++view.vms_by_state[r.state];
  view.hypervisor_uri = std::string(hypervisor_.uri());
  return view;
}

void VmManagerImpl::RunStart(const std::string& id) {
  Status started = hypervisor_.Start(id);
  // "already running" means an event or a reconciliation got there first.
  if (!started.ok() && started.code() != ErrorCode::kFailedPrecondition) {
    CountOperation("start", started);
    RecordFailure(id, "start", started);
    return;
  }
  CountOperation("start", {});
  Result<store::VmRecord> written =
      Mutate(id, std::nullopt, [](store::VmRecord& r) -> Result<bool> {
        if (r.state != VmStateName(VmState::kStarting)) return false;
        r.state = std::string(VmStateName(VmState::kRunning));
        return true;
      });
  if (written.ok()) log_.Info("vm started", {{"vm", written->name}, {"id", id}});
}

void VmManagerImpl::RunStop(const std::string& id, StopMode mode) {
  Status stopped = mode == StopMode::kGraceful ? hypervisor_.Stop(id, options_.shutdown_grace)
                                               : hypervisor_.Destroy(id);
  const char* operation = mode == StopMode::kGraceful ? "shutdown" : "stop";
  CountOperation(operation, stopped);
  if (!stopped.ok()) {
    RecordFailure(id, operation, stopped);
    return;
  }
  Result<store::VmRecord> written =
      Mutate(id, std::nullopt, [](store::VmRecord& r) -> Result<bool> {
        if (r.state != VmStateName(VmState::kStopping)) return false;
        r.state = std::string(VmStateName(VmState::kStopped));
        return true;
      });
  if (written.ok()) log_.Info("vm stopped", {{"vm", written->name}, {"id", id}});
}

void VmManagerImpl::RecordFailure(const std::string& id, const std::string& operation,
                                  const Status& error) {
  Result<DomainStatus> actual = hypervisor_.GetDomain(id);
  VmState state = VmState::kFailed;
  if (actual.ok() && actual->power == PowerState::kRunning) state = VmState::kRunning;
  if (actual.ok() && actual->power == PowerState::kShutOff && operation != "start") {
    state = VmState::kStopped;
  }
  Result<store::VmRecord> written =
      Mutate(id, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
        r.state = std::string(VmStateName(state));
        r.last_error = operation + ": " + error.ToString();
        return true;
      });
  log_.Warn("vm operation failed", {{"id", id},
                                    {"operation", operation},
                                    {"error", error.ToString()},
                                    {"state", std::string(VmStateName(state))}});
  if (!written.ok()) {
    log_.Error("cannot record a failed vm operation",
               {{"id", id}, {"error", written.status().ToString()}});
  }
}

void VmManagerImpl::OnDomainEvent(const std::string& uuid, VmEvent event) {
  if (metrics_.events) metrics_.events->WithLabels({std::string(VmEventName(event))}).Inc();
  // Off the driver's event thread: the store may be slow.
  jobs_.Post([this, uuid, event] {
    Result<store::VmRecord> written =
        Mutate(uuid, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
          std::optional<VmState> from = ParseVmState(r.state);
          if (!from) return false;
          Result<VmState> to = ApplyEvent(r.name, *from, event);
          if (!to.ok()) {
            // Events are asynchronous: a "started" that arrives after a stop began is old news.
            bool stale = event == VmEvent::kStarted &&
                         (*from == VmState::kStopping || *from == VmState::kStopped);
            log_.Log(
                stale ? observe::Level::kDebug : observe::Level::kWarn,
                stale ? "stale domain event ignored"
                      : "unexpected domain event; reconciliation will settle it",
                {{"vm", r.name}, {"event", std::string(VmEventName(event))}, {"state", r.state}});
            return false;
          }
          if (*to == *from) return false;
          r.state = std::string(VmStateName(*to));
          if (event == VmEvent::kCrashed) r.last_error = "the guest crashed";
          return true;
        });
    if (!written.ok() && written.status().code() != ErrorCode::kNotFound) {
      log_.Warn("cannot record a domain event",
                {{"id", uuid}, {"error", written.status().ToString()}});
    }
  });
}

void VmManagerImpl::Post(const std::string& id, std::function<void()> job) {
  {
    std::lock_guard lock(inflight_mu_);
    ++inflight_[id];
  }
  bool posted = jobs_.Post([this, id, job = std::move(job)] {
    job();
    std::lock_guard lock(inflight_mu_);
    if (--inflight_[id] == 0) inflight_.erase(id);
  });
  if (!posted) {
    std::lock_guard lock(inflight_mu_);
    if (--inflight_[id] == 0) inflight_.erase(id);
  }
}

bool VmManagerImpl::InFlight(const std::string& id) {
  std::lock_guard lock(inflight_mu_);
  return inflight_.count(id) > 0;
}

void VmManagerImpl::CountOperation(std::string_view operation, const Status& result) {
  if (!metrics_.operations) return;
  std::string outcome = result.ok() ? "ok" : std::string(ErrorCodeName(result.code()));
  metrics_.operations->WithLabels({std::string(operation), outcome}).Inc();
}

void VmManagerImpl::CountStateChange(const std::string& from, const std::string& to) {
  if (!metrics_.vms || from == to) return;
  if (!from.empty()) metrics_.vms->WithLabels({from}).Dec();
  if (!to.empty()) metrics_.vms->WithLabels({to}).Inc();
}

Result<std::unique_ptr<VmManager>> NewVmManager(const ManagerDeps& deps,
                                                const ManagerOptions& options) {
  if (deps.store == nullptr || deps.hypervisor == nullptr) {
    return InvalidArgument("vm manager: store and hypervisor are required");
  }
  if (options.cpu_overcommit <= 0 || options.memory_overcommit <= 0) {
    return InvalidArgument("vm manager: overcommit ratios must be positive");
  }
  Result<NodeInventory> inventory = deps.hypervisor->Inventory();
  if (!inventory.ok()) return inventory.status().Wrap("vm manager: node inventory");
  NOVACRON_ASSIGN_OR_RETURN(ManagerMetrics metrics, RegisterMetrics(deps.metrics));
  return std::unique_ptr<VmManager>(
      std::make_unique<VmManagerImpl>(deps, options, std::move(inventory).value(), metrics));
}

void DrainVmManager(VmManager& manager) {
  if (auto* impl = dynamic_cast<VmManagerImpl*>(&manager)) impl->Drain();
}

}  // namespace novacron::vm
