// Power operations, delete, events and settling: everything that drives a VM's domain. Each VM's
// accepted operations run on its lane (manager_internal.h) in accept order, and each of them
// ends with a settle that reads the domain's power state. Events only ask for such a settle, so
// an event from an earlier life of the domain can do no harm (docs/vm-state-machine.md).
#include "observe/log_format.h"
#include "vm/manager_internal.h"
#include "vm/vm_record.h"

namespace novacron::vm {

std::string StampError(const std::string& message) {
  return message + " (at " + observe::FormatRfc3339Millis(std::chrono::system_clock::now()) + ")";
}

std::shared_ptr<VmManagerImpl::VmLane> VmManagerImpl::LaneFor(const std::string& id) {
  std::lock_guard lock(lanes_mu_);
  std::shared_ptr<VmLane>& lane = lanes_[id];
  if (!lane) lane = std::make_shared<VmLane>();
  return lane;
}

void VmManagerImpl::DropLane(const std::string& id) {
  std::lock_guard lock(lanes_mu_);
  lanes_.erase(id);
}

Result<Vm> VmManagerImpl::Start(const std::string& id_or_name, std::optional<int64_t> if_match) {
  return Accept(id_or_name, VmAction::kStart, VmOperation::kStart, if_match);
}

Result<Vm> VmManagerImpl::Stop(const std::string& id_or_name, StopMode mode,
                               std::optional<int64_t> if_match) {
  return Accept(id_or_name, VmAction::kStop,
                mode == StopMode::kForce ? VmOperation::kStop : VmOperation::kShutdown, if_match);
}

Result<Vm> VmManagerImpl::Accept(const std::string& id_or_name, VmAction action,
                                 VmOperation operation, std::optional<int64_t> if_match) {
  const std::string op_name(VmOperationName(operation));
  Result<store::VmRecord> found = Find(id_or_name);
  if (!found.ok()) {
    CountOperation(op_name, found.status());
    return found.status();
  }
  if (!Mine(*found)) return AcceptForOwner(*found, action, if_match);
  if (Status fenced = CheckNotFenced(op_name + " vm '" + found->name + "'"); !fenced.ok()) {
    CountOperation(op_name, fenced);
    return fenced;
  }
  const std::string id = found->id;
  std::shared_ptr<VmLane> lane = LaneFor(id);
  std::lock_guard lock(lane->mu);
  // The record write and the enqueue happen under one lock hold, so the lane's order is the
  // order in which requests were accepted, and no settle sees the new state without its
  // operation queued.
  Result<store::VmRecord> record = Mutate(id, if_match, ActionMutation(action));
  if (!record.ok()) {
    CountOperation(op_name, record.status());
    return record.status();
  }
  if (!Enqueue(lane, id, operation)) {
    Status stopping = Unavailable("the vm manager is stopping: the " + op_name + " of vm '" +
                                  record->name + "' is recorded and resumes at the next start");
    CountOperation(op_name, stopping);
    return stopping;
  }
  return FromRecord(*record);
}

VmManagerImpl::Mutation VmManagerImpl::ActionMutation(VmAction action) {
  return [action](store::VmRecord& r) -> Result<bool> {
    std::optional<VmState> from = ParseVmState(r.state);
    if (!from) return Internal("vm " + r.id + ": unknown stored state " + r.state);
    NOVACRON_ASSIGN_OR_RETURN(VmState to, ApplyAction(r.name, *from, action));
    r.state = std::string(VmStateName(to));
    r.last_error.clear();
    return true;
  };
}

bool VmManagerImpl::Enqueue(const std::shared_ptr<VmLane>& lane, const std::string& id,
                            VmOperation operation) {
  lane->queue.push_back(operation);
  if (lane->busy) return true;  // its worker takes it after what is ahead
  lane->busy = true;
  if (jobs_.Post([this, lane, id] { RunLane(lane, id); })) return true;
  lane->queue.clear();
  lane->busy = false;
  lane->idle.notify_all();
  return false;
}

void VmManagerImpl::RunLane(const std::shared_ptr<VmLane>& lane, const std::string& id) {
  std::unique_lock lock(lane->mu);
  while (!lane->queue.empty()) {
    VmOperation operation = lane->queue.front();
    lane->queue.pop_front();
    // A forced delete took the VM over: what was queued before it is moot.
    if (lane->deleting) {
      log_.Info("vm operation dropped: the vm is being deleted",
                {{"id", id}, {"operation", std::string(VmOperationName(operation))}});
      continue;
    }
    lock.unlock();
    // Fenced (cluster mode): no domain is started any more; an HA VM whose start was already
    // under way when the node fenced is powered off again at once (docs/cluster.md, "Fencing").
    Status result = fenced_.load() && operation == VmOperation::kStart
                        ? CheckNotFenced("start vm " + id)
                        : Call(id, operation);
    if (result.ok() && operation == VmOperation::kStart && fenced_.load()) PowerOffIfHa(id);
    CountOperation(VmOperationName(operation), result);
    lock.lock();
    Result<store::VmRecord> settled =
        SettleLocked(id, FinishedOperation{operation, result}, !lane->queue.empty());
    if (!settled.ok() && settled.status().code() != ErrorCode::kNotFound) {
      // Reconciliation finds the record still transitional and finishes it.
      log_.Error("cannot record the outcome of a vm operation",
                 {{"id", id},
                  {"operation", std::string(VmOperationName(operation))},
                  {"result", result.ToString()},
                  {"error", settled.status().ToString()}});
    }
  }
  lane->busy = false;
  lane->idle.notify_all();
}

Status VmManagerImpl::Call(const std::string& id, VmOperation operation) {
  switch (operation) {
    case VmOperation::kStart:
      return hypervisor_.Start(id);
    case VmOperation::kShutdown:
      return hypervisor_.Stop(id, options_.shutdown_grace);
    case VmOperation::kStop:
      return hypervisor_.Destroy(id);
  }
  return Internal("unknown vm operation");
}

Result<store::VmRecord> VmManagerImpl::SettleLocked(
    const std::string& id, const std::optional<FinishedOperation>& finished, bool more_queued,
    const std::string* drift) {
  SettleInput input;
  input.finished = finished;
  input.more_queued = more_queued;
  Result<DomainStatus> domain = hypervisor_.GetDomain(id);
  if (domain.ok()) {
    input.power = domain->power;
  } else if (domain.status().code() != ErrorCode::kNotFound) {
    // The hypervisor did not answer: the state cannot be known. Note a failed operation and
    // leave the state, exactly as while more operations are queued; reconciliation settles it.
    input.more_queued = true;
  }
  SettleDecision decision;
  std::string before;
  Result<store::VmRecord> written =
      Mutate(id, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
        before = r.state;
        std::optional<VmState> from = ParseVmState(r.state);
        if (!from) return false;
        input.recorded = *from;
        decision = Settle(input);
        bool changed = false;
        if (decision.next && *decision.next != *from) {
          r.state = std::string(VmStateName(*decision.next));
          changed = true;
        }
        if (!decision.error.empty()) {
          r.last_error = StampError(decision.error);
          changed = true;
        }
        if (drift && r.drift != *drift) {
          r.drift = *drift;
          changed = true;
        }
        return changed;
      });
  if (!written.ok()) return written;
  if (written->state != before || !decision.error.empty()) {
    observe::Fields fields = {
        {"vm", written->name}, {"id", id}, {"from", before}, {"state", written->state}};
    if (finished)
      fields.push_back({"operation", std::string(VmOperationName(finished->operation))});
    if (input.power) fields.push_back({"power", std::string(PowerStateName(*input.power))});
    if (decision.error.empty()) {
      log_.Info("vm " + written->state, std::move(fields));
    } else {
      fields.push_back({"error", written->last_error});
      log_.Warn("vm operation failed", std::move(fields));
    }
  }
  return written;
}

Result<Vm> VmManagerImpl::Reboot(const std::string& id_or_name, std::optional<int64_t> if_match) {
  Status result = [&]() -> Status {
    NOVACRON_ASSIGN_OR_RETURN(store::VmRecord found, Find(id_or_name));
    if (!Mine(found)) return RequestRebootFromOwner(found, if_match);
    NOVACRON_RETURN_IF_ERROR(CheckNotFenced("reboot vm '" + found.name + "'"));
    std::shared_ptr<VmLane> lane = LaneFor(found.id);
    std::lock_guard lock(lane->mu);
    // Read again under the lane: the state cannot move while the reboot call runs.
    NOVACRON_ASSIGN_OR_RETURN(store::VmRecord record, store_.Get(found.id));
    NOVACRON_RETURN_IF_ERROR(CheckIfMatch(record, if_match));
    std::optional<VmState> state = ParseVmState(record.state);
    if (!state) return Internal("vm " + record.id + ": unknown stored state " + record.state);
    NOVACRON_RETURN_IF_ERROR(ApplyAction(record.name, *state, VmAction::kReboot).status());
    if (lane->busy) {
      return Conflict("cannot reboot vm '" + record.name + "': an operation is in progress");
    }
    NOVACRON_RETURN_IF_ERROR(hypervisor_.Reboot(record.id));
    log_.Info("vm rebooted", {{"vm", record.name}, {"id", record.id}});
    return {};
  }();
  CountOperation("reboot", result);
  if (!result.ok()) return result;
  return Get(id_or_name);
}

Status VmManagerImpl::Delete(const std::string& id_or_name, std::optional<int64_t> if_match,
                             bool force) {
  std::string id;
  Status result = [&]() -> Status {
    NOVACRON_ASSIGN_OR_RETURN(store::VmRecord found, Find(id_or_name));
    id = found.id;
    if (!Mine(found)) return DeleteForOwner(found, if_match, force);
    NOVACRON_RETURN_IF_ERROR(CheckNotFenced("delete vm '" + found.name + "'"));
    std::shared_ptr<VmLane> lane = LaneFor(id);
    std::unique_lock lock(lane->mu);
    std::optional<VmState> previous;
    // `deleting` first: from then on nothing is accepted for the VM, and its lane drops what
    // was queued. A plain delete needs a stable state; a forced one takes any but deleting.
    Result<store::VmRecord> claimed = Mutate(id, if_match, [&](store::VmRecord& r) -> Result<bool> {
      previous = ParseVmState(r.state);
      if (!previous) return Internal("vm " + id + ": unknown stored state " + r.state);
      bool take_over = force && *previous != VmState::kDeleting;
      if (!take_over) {
        NOVACRON_RETURN_IF_ERROR(ApplyAction(r.name, *previous, VmAction::kDelete).status());
      }
      r.state = std::string(VmStateName(VmState::kDeleting));
      return true;
    });
    NOVACRON_RETURN_IF_ERROR(claimed.status());
    lane->deleting = true;
    // At most one hypervisor call per VM: wait for the operation in flight (a graceful
    // shutdown takes up to vm.shutdown_timeout).
    lane->idle.wait(lock, [&] { return !lane->busy; });
    if (force) {
      Status destroyed = hypervisor_.Destroy(id);
      if (!destroyed.ok() && destroyed.code() != ErrorCode::kNotFound &&
          destroyed.code() != ErrorCode::kFailedPrecondition) {
        Status failed = destroyed.Wrap("power off vm '" + found.name + "'");
        RestoreAfterFailedDelete(*claimed, std::nullopt, failed);
        lane->deleting = false;
        return failed;
      }
    }
    bool stable = *previous == VmState::kDefined || *previous == VmState::kStopped ||
                  *previous == VmState::kFailed;
    Status finished = FinishDelete(*claimed, stable ? previous : std::nullopt);
    lane->deleting = finished.ok();
    return finished;
  }();
  CountOperation("delete", result);
  if (result.ok()) DropLane(id);
  return result;
}

Status VmManagerImpl::FinishDelete(const store::VmRecord& record, std::optional<VmState> restore) {
  Status undefined = hypervisor_.Undefine(record.id, /*remove_disks=*/true);
  if (!undefined.ok() && undefined.code() != ErrorCode::kNotFound) {
    Status failed = undefined.Wrap("undefine vm '" + record.name + "'");
    RestoreAfterFailedDelete(record, restore, failed);
    return failed;
  }
  NOVACRON_RETURN_IF_ERROR(store_.Delete(record.id, std::nullopt));
  {
    std::lock_guard lock(owned_mu_);
    owned_.erase(record.id);
  }
  Bump();
  CountStateChange(std::string(VmStateName(VmState::kDeleting)), "");
  log_.Info("vm deleted", {{"vm", record.name}, {"id", record.id}});
  return {};
}

void VmManagerImpl::RestoreAfterFailedDelete(const store::VmRecord& record,
                                             std::optional<VmState> restore, const Status& error) {
  // The record must not claim a deletion: back to a state that matches the domain.
  Result<DomainStatus> domain = hypervisor_.GetDomain(record.id);
  VmState back = restore.value_or(VmState::kStopped);
  if (domain.ok() && IsPoweredOn(domain->power)) back = VmState::kRunning;
  Result<store::VmRecord> restored =
      Mutate(record.id, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
        r.state = std::string(VmStateName(back));
        r.last_error = StampError("delete: " + error.ToString());
        return true;
      });
  if (!restored.ok()) {
    log_.Error("cannot restore a vm after a failed delete",
               {{"id", record.id}, {"error", restored.status().ToString()}});
  }
}

void VmManagerImpl::OnDomainEvent(const std::string& uuid, VmEvent event) {
  if (metrics_.events) metrics_.events->WithLabels({std::string(VmEventName(event))}).Inc();
  // Off the driver's event thread: the store and the hypervisor may be slow.
  jobs_.Post([this, uuid] { SettleAfterEvent(uuid); });
}

void VmManagerImpl::SettleAfterEvent(const std::string& uuid) {
  // Fenced, the records are left as they are: an HA VM powered off by fencing must not be
  // recorded as stopped, or its failover would not start it again elsewhere.
  if (fenced_.load()) return;
  // Domains that are not ours (or no longer) get no lane.
  Result<store::VmRecord> record = store_.Get(uuid);
  if (!record.ok() || !Mine(*record)) return;
  std::shared_ptr<VmLane> lane = LaneFor(uuid);
  std::lock_guard lock(lane->mu);
  if (lane->busy) return;  // its worker settles after the last queued operation
  Result<store::VmRecord> settled = SettleLocked(uuid, std::nullopt, false);
  if (!settled.ok() && settled.status().code() != ErrorCode::kNotFound) {
    log_.Warn("cannot settle a vm after a domain event",
              {{"id", uuid}, {"error", settled.status().ToString()}});
  }
}

}  // namespace novacron::vm
