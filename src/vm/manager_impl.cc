// Records: create, read, list, update (PATCH), node view; the metrics and the constructor.
#include "vm/manager_impl.h"

#include <nlohmann/json.hpp>

#include "vm/domain_xml.h"
#include "vm/manager_internal.h"
#include "vm/vm_record.h"

namespace novacron::vm {
namespace {

constexpr int kMutateAttempts = 8;

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

Status CheckIfMatch(const store::VmRecord& record, std::optional<int64_t> if_match) {
  if (if_match && *if_match != record.version) {
    return Conflict("vm '" + record.name + "' was modified: it is at version " +
                    std::to_string(record.version) + ", If-Match named " +
                    std::to_string(*if_match));
  }
  return {};
}

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
      if (Mine(*written)) CountStateChange(before, written->state);
      return written;
    }
    if (written.status().code() != ErrorCode::kConflict || if_match || attempt >= kMutateAttempts) {
      return written.status();
    }
  }
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
    if (!Mine(record)) continue;  // cluster mode: other nodes' VMs take nothing from this one
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
  if (Clustered()) return CreateUnplaced(spec, start);
  std::string id = NewVmId();
  Status result = [&]() -> Status {
    auto name_is_free = [&]() -> Status {
      Result<store::VmRecord> existing = store_.GetByName(spec.name);
      if (existing.ok()) return AlreadyExists("vm name '" + spec.name + "' is taken");
      if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
      return {};
    };
    // A taken name is refused before any disk is made; the check under the lock decides.
    NOVACRON_RETURN_IF_ERROR(name_is_free());
    // Host paths, images and disks (qemu-img, with a timeout) before the admission lock: a slow
    // or hung child holds up this create only (docs/security.md, "Host paths").
    NOVACRON_RETURN_IF_ERROR(hypervisor_.Prepare(id, spec));
    std::lock_guard lock(admission_mu_);
    Status admitted = [&]() -> Status {
      NOVACRON_RETURN_IF_ERROR(name_is_free());
      NOVACRON_ASSIGN_OR_RETURN(Capacity capacity, CurrentCapacity(""));
      return Admit(capacity, spec.name, spec.vcpus, spec.memory_mib);
    }();
    if (!admitted.ok()) {
      if (Status dropped = hypervisor_.Unprepare(id); !dropped.ok()) {
        log_.Error("cannot remove the disks of a refused vm",
                   {{"vm", spec.name}, {"id", id}, {"error", dropped.ToString()}});
      }
      return admitted;
    }
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
  std::lock_guard admission(admission_mu_);
  std::shared_ptr<VmLane> lane = LaneFor(found.id);
  std::lock_guard lock(lane->mu);  // the state checked below cannot change under the redefine
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
          // Another node's VM: its owner admits and redefines it (drift resize_requested). An
          // unplaced VM has no domain yet: placement sizes it from the new spec.
          if (!Mine(record) && !record.owner.empty()) record.drift = kDriftResizeRequested;
          if (Mine(record)) {
            NOVACRON_RETURN_IF_ERROR(CheckNotFenced("resize vm '" + vm.spec.name + "'"));
            NOVACRON_ASSIGN_OR_RETURN(Capacity capacity, CurrentCapacity(vm.id));
            NOVACRON_RETURN_IF_ERROR(Admit(capacity, spec.name, spec.vcpus, spec.memory_mib));
            Status redefined = hypervisor_.Redefine(vm.id, spec);
            if (!redefined.ok()) return redefined.Wrap("redefine vm '" + spec.name + "'");
          }
        }
        SetSpec(record, spec);
        return true;
      });
  CountOperation("update", written.status());
  if (!written.ok()) return written.status();
  return FromRecord(*written);
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
  for (const store::VmRecord& r : records) {
    if (Mine(r)) ++view.vms_by_state[r.state];
  }
  view.hypervisor_uri = std::string(hypervisor_.uri());
  return view;
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
