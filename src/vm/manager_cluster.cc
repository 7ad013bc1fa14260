// Cluster mode (docs/cluster.md, "Ownership"): every record names the node that owns it, and only
// the owner drives its domain. A request about another node's VM is accepted here by writing
// the state it leads to; the owner's watch on the records sees it and carries it out (the
// kubelet model). Fencing and the owner's reconcile of single records are here too.
#include <thread>

#include "vm/manager_internal.h"
#include "vm/vm_record.h"

namespace novacron::vm {
namespace {

constexpr auto kDeletePoll = std::chrono::milliseconds(100);
// How long a delete of another node's VM waits for the owner, beyond a graceful shutdown.
constexpr auto kDeleteWaitExtra = std::chrono::seconds(15);

}  // namespace

bool SpecJsonSaysHa(const std::string& spec_json) {
  return spec_json.find("\"ha\":true") != std::string::npos;
}

Status VmManagerImpl::CheckNotFenced(const std::string& what) const {
  if (!fenced_.load()) return {};
  return Unavailable("cannot " + what + ": node '" + options_.node_id +
                     "' lost its cluster lease (fenced) and acts on no vm until it rejoins");
}

Result<Vm> VmManagerImpl::CreateUnplaced(const VmSpec& spec, bool start) {
  const std::string id = NewVmId();
  store::VmRecord record = NewRecord(id, spec, start ? VmState::kStarting : VmState::kDefined);
  record.drift = kDriftUnplaced;
  Result<store::VmRecord> created = store_.Create(record);
  CountOperation("create", created.status());
  if (!created.ok()) return created.status();
  Bump();
  log_.Info("vm created; the leader places it", {{"vm", spec.name}, {"id", id}});
  return FromRecord(*created);
}

Result<Vm> VmManagerImpl::AcceptForOwner(const store::VmRecord& found, VmAction action,
                                         std::optional<int64_t> if_match) {
  Result<store::VmRecord> record = Mutate(found.id, if_match, ActionMutation(action));
  CountOperation(VmActionName(action), record.status());
  if (!record.ok()) return record.status();
  return FromRecord(*record);
}

Status VmManagerImpl::RequestRebootFromOwner(const store::VmRecord& found,
                                             std::optional<int64_t> if_match) {
  return Mutate(found.id, if_match,
                [&](store::VmRecord& r) -> Result<bool> {
                  std::optional<VmState> state = ParseVmState(r.state);
                  if (!state) return Internal("vm " + r.id + ": unknown stored state " + r.state);
                  NOVACRON_RETURN_IF_ERROR(ApplyAction(r.name, *state, VmAction::kReboot).status());
                  if (r.owner.empty()) {
                    return Conflict("cannot reboot vm '" + r.name + "': it is not placed yet");
                  }
                  if (r.drift == kDriftRebootRequested) return false;  // already asked
                  r.drift = kDriftRebootRequested;
                  return true;
                })
      .status();
}

void VmManagerImpl::ResizeForOthersLocked(const store::VmRecord& record, const DomainStatus& actual,
                                          ReconcileReport& report) {
  Result<Vm> vm = FromRecord(record);
  if (!vm.ok()) return;
  // Not under admission_mu_ (the lane is held, and the lock order puts admission first): a
  // resize here and one through this node's own API at the same moment may both be admitted.
  Status resized = [&]() -> Status {
    NOVACRON_ASSIGN_OR_RETURN(Capacity capacity, CurrentCapacity(record.id));
    NOVACRON_RETURN_IF_ERROR(Admit(capacity, vm->spec.name, vm->spec.vcpus, vm->spec.memory_mib));
    return hypervisor_.Redefine(record.id, vm->spec);
  }();
  CountOperation("update", resized);
  if (resized.ok()) {
    report.messages.push_back("vm '" + record.name + "': resized (asked through another node)");
    return;
  }
  // Back to the sizes the domain has, with the reason.
  Result<store::VmRecord> reverted =
      Mutate(record.id, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
        NOVACRON_ASSIGN_OR_RETURN(Vm now, FromRecord(r));
        if (actual.vcpus > 0 && actual.memory_mib > 0) {  // the driver reported them
          now.spec.vcpus = actual.vcpus;
          now.spec.memory_mib = actual.memory_mib;
          SetSpec(r, now.spec);
        }
        r.last_error =
            StampError("resize on node '" + options_.node_id + "': " + resized.ToString());
        return true;
      });
  report.messages.push_back("vm '" + record.name + "': resize refused: " + resized.ToString() +
                            (reverted.ok() ? "" : " (" + reverted.status().ToString() + ")"));
}

Status VmManagerImpl::DeleteForOwner(const store::VmRecord& found, std::optional<int64_t> if_match,
                                     bool force) {
  Result<store::VmRecord> claimed =
      Mutate(found.id, if_match, [&](store::VmRecord& r) -> Result<bool> {
        std::optional<VmState> from = ParseVmState(r.state);
        if (!from) return Internal("vm " + r.id + ": unknown stored state " + r.state);
        if (*from == VmState::kDeleting) return false;  // already on its way
        if (!force)
          NOVACRON_RETURN_IF_ERROR(ApplyAction(r.name, *from, VmAction::kDelete).status());
        r.state = std::string(VmStateName(VmState::kDeleting));
        return true;
      });
  if (!claimed.ok()) {
    CountOperation("delete", claimed.status());
    return claimed.status();
  }
  if (claimed->owner.empty()) {
    // Not placed: no domain exists anywhere. Unless the leader placed it meanwhile (then its
    // owner finishes the delete), the record goes now.
    Status removed = store_.Delete(claimed->id, claimed->version);
    if (removed.ok() || removed.code() == ErrorCode::kNotFound) {
      Bump();
      CountOperation("delete", {});
      log_.Info("vm deleted", {{"vm", claimed->name}, {"id", claimed->id}});
      return {};
    }
    if (removed.code() != ErrorCode::kConflict) {
      CountOperation("delete", removed);
      return removed;
    }
  }
  // The API answers a delete once it is done, in both modes: wait for the owner.
  const auto deadline =
      std::chrono::steady_clock::now() + options_.shutdown_grace + kDeleteWaitExtra;
  std::string owner = claimed->owner;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<store::VmRecord> now = store_.Get(claimed->id);
    if (!now.ok() && now.status().code() == ErrorCode::kNotFound) {
      CountOperation("delete", {});
      return {};
    }
    if (now.ok()) owner = now->owner;
    std::this_thread::sleep_for(kDeletePoll);
  }
  Status late =
      DeadlineExceeded("vm '" + claimed->name + "' is marked for deletion, but node '" + owner +
                       "' has not removed it yet: it does when it reconciles the vm");
  CountOperation("delete", late);
  return late;
}

Status VmManagerImpl::AdoptLocked(const store::VmRecord& record) {
  Status made = [&]() -> Status {
    NOVACRON_ASSIGN_OR_RETURN(Vm vm, FromRecord(record));
    NOVACRON_RETURN_IF_ERROR(hypervisor_.Prepare(record.id, vm.spec));
    Status defined = hypervisor_.Define(record.id, vm.spec);
    if (!defined.ok()) return defined.Wrap("define vm '" + vm.spec.name + "'");
    return {};
  }();
  CountOperation("define", made);
  if (made.ok()) {
    NoteOwned(record.id, SpecJsonSaysHa(record.spec_json));
    log_.Info("vm defined: placed on this node", {{"vm", record.name}, {"id", record.id}});
    return {};
  }
  Status failed = made.Wrap("on node '" + options_.node_id + "'");
  Result<store::VmRecord> written =
      Mutate(record.id, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
        if (!Mine(r)) return false;
        r.state = std::string(VmStateName(VmState::kFailed));
        r.last_error = StampError(failed.ToString());
        r.drift.clear();
        return true;
      });
  if (!written.ok()) {
    log_.Error("cannot record a failed define",
               {{"id", record.id}, {"error", written.status().ToString()}});
  }
  return failed;
}

void VmManagerImpl::RemoveForeignDomain(const store::VmRecord& listed, const DomainStatus& domain,
                                        ReconcileReport& report) {
  std::shared_ptr<VmLane> lane = LaneFor(listed.id);
  std::lock_guard lock(lane->mu);
  if (lane->busy) return;  // the next round
  // Read again under the lane: the VM may have been placed back on this node since the listing.
  Result<store::VmRecord> record = store_.Get(listed.id);
  if (!record.ok() || Mine(*record) || record->owner.empty()) return;
  if (IsPoweredOn(domain.power)) {
    Status destroyed = hypervisor_.Destroy(listed.id);
    if (!destroyed.ok() && destroyed.code() != ErrorCode::kNotFound) {
      report.messages.push_back("vm '" + record->name + "' belongs to node '" + record->owner +
                                "': cannot power off its local domain: " + destroyed.ToString());
      return;
    }
  }
  Status undefined = hypervisor_.Undefine(listed.id, /*remove_disks=*/false);
  if (!undefined.ok() && undefined.code() != ErrorCode::kNotFound) {
    report.messages.push_back("vm '" + record->name + "' belongs to node '" + record->owner +
                              "': cannot undefine its local domain: " + undefined.ToString());
    return;
  }
  ++report.converged;
  report.messages.push_back("vm '" + record->name + "' belongs to node '" + record->owner +
                            "' now: its local domain was powered off and undefined (disks kept)");
  {
    std::lock_guard owned(owned_mu_);
    owned_.erase(listed.id);
    fenced_off_.erase(listed.id);
  }
  DropLane(listed.id);
}

Status VmManagerImpl::ReconcileVm(const std::string& id) {
  NOVACRON_RETURN_IF_ERROR(CheckNotFenced("reconcile vm " + id));
  Result<store::VmRecord> record = store_.Get(id);
  if (!record.ok()) {
    if (record.status().code() != ErrorCode::kNotFound) return record.status();
    std::lock_guard lock(owned_mu_);
    owned_.erase(id);
    return {};
  }
  Result<DomainStatus> domain = hypervisor_.GetDomain(id);
  if (!domain.ok() && domain.status().code() != ErrorCode::kNotFound) return domain.status();
  const DomainStatus* actual = domain.ok() ? &*domain : nullptr;
  ReconcileReport report;
  if (!Mine(*record)) {
    {
      std::lock_guard lock(owned_mu_);
      owned_.erase(id);
    }
    if (actual && !record->owner.empty()) RemoveForeignDomain(*record, *actual, report);
  } else {
    NoteOwned(id, SpecJsonSaysHa(record->spec_json));
    ReconcileOne(*record, actual, report);
  }
  for (const std::string& message : report.messages) {
    log_.Info("reconcile", {{"detail", message}});
  }
  return {};
}

void VmManagerImpl::NoteOwned(const std::string& id, bool ha) {
  std::lock_guard lock(owned_mu_);
  owned_[id] = ha;
}

bool VmManagerImpl::TakeFencedOff(const std::string& id) {
  std::lock_guard lock(owned_mu_);
  return fenced_off_.erase(id) > 0;
}

void VmManagerImpl::SetFenced(bool fenced) {
  if (fenced_.exchange(fenced) == fenced) return;
  if (fenced) {
    log_.Warn("fenced: acting on no vm until this node is a cluster member again",
              {{"node", options_.node_id}});
  } else {
    log_.Info("rejoined: acting on this node's vms again", {{"node", options_.node_id}});
  }
}

bool VmManagerImpl::PowerOffIfHa(const std::string& id) {
  {
    std::lock_guard lock(owned_mu_);
    auto owned = owned_.find(id);
    if (owned == owned_.end() || !owned->second) return false;
  }
  Result<DomainStatus> domain = hypervisor_.GetDomain(id);
  if (!domain.ok() || !IsPoweredOn(domain->power)) return false;
  Status destroyed = hypervisor_.Destroy(id);
  if (!destroyed.ok()) {
    log_.Error("fencing: cannot power off an HA vm", {{"id", id}, {"error", destroyed.ToString()}});
    return false;
  }
  std::lock_guard lock(owned_mu_);
  fenced_off_.insert(id);
  return true;
}

int VmManagerImpl::FenceHaDomains() {
  std::vector<std::string> ha;
  {
    std::lock_guard lock(owned_mu_);
    for (const auto& [id, is_ha] : owned_) {
      if (is_ha) ha.push_back(id);
    }
  }
  int powered_off = 0;
  for (const std::string& id : ha) {
    // Not under the lane: a graceful stop may hold it for vm.shutdown_timeout, and a start in
    // flight powers its domain off itself when it returns (RunLane).
    if (PowerOffIfHa(id)) ++powered_off;
  }
  log_.Warn("fencing: powered off this node's HA vms (the leader restarts them elsewhere)",
            {{"powered_off", powered_off}, {"ha_vms", static_cast<int64_t>(ha.size())}});
  return powered_off;
}

}  // namespace novacron::vm
