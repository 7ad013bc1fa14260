// Reconciliation: the store holds the desired state, the hypervisor the actual one. Every
// record whose lane is idle is settled from the domain's power state (a guest that powered itself
// off while the daemon was down is stopped now); a start or stop that a restart interrupted is
// carried out again; an interrupted delete is finished; what cannot be converged is reported as
// drift on the record, in the logs and in novacron_vm_drift. docs/vm-state-machine.md has the
// rules.
#include <algorithm>
#include <map>

#include "vm/manager_internal.h"

namespace novacron::vm {
namespace {

constexpr char kMissing[] = "missing_on_hypervisor";
constexpr char kUnknown[] = "unknown_domain";

// Warnings per reconcile round; the rest is counted (ReconcileReport, novacron_vm_drift).
constexpr size_t kLoggedMessages = 10;

// Whether the listing suggests the record needs a settle (a cheap filter: the settle itself
// reads the domain again under the VM's lane).
bool MayNeedSettle(VmState recorded, const DomainStatus* actual) {
  if (IsTransitional(recorded)) return true;
  if (actual == nullptr) return false;
  SettleInput input;
  input.recorded = recorded;
  input.power = actual->power;
  SettleDecision decision = Settle(input);
  return decision.next && *decision.next != recorded;
}

}  // namespace

Result<ReconcileReport> VmManagerImpl::Reconcile() {
  NOVACRON_RETURN_IF_ERROR(CheckNotFenced("reconcile"));
  ReconcileReport report;
  Result<std::vector<DomainStatus>> domains = hypervisor_.ListDomains();
  Result<std::vector<store::VmRecord>> records =
      domains.ok() ? store_.ListAll() : Result<std::vector<store::VmRecord>>(domains.status());
  if (!records.ok()) {
    if (metrics_.reconciles) metrics_.reconciles->WithLabels({"error"}).Inc();
    return records.status().Wrap("reconcile");
  }
  std::map<std::string, const DomainStatus*> by_uuid;
  for (const DomainStatus& d : *domains) by_uuid[d.uuid] = &d;

  std::map<std::string, int> by_state;
  std::map<std::string, bool> owned;  // this node's VMs -> ha
  for (const store::VmRecord& listed : *records) {
    if (!Mine(listed)) {
      // Cluster mode: another node's VM. A local domain of it is left over from when this node
      // owned it (docs/cluster.md, "Fencing"); an unplaced VM has no domain anywhere yet.
      auto domain = by_uuid.find(listed.id);
      if (domain == by_uuid.end()) continue;
      if (!listed.owner.empty()) RemoveForeignDomain(listed, *domain->second, report);
      by_uuid.erase(domain);
      continue;
    }
    owned[listed.id] = SpecJsonSaysHa(listed.spec_json);
    ++report.checked;
    auto domain = by_uuid.find(listed.id);
    const DomainStatus* actual = domain == by_uuid.end() ? nullptr : domain->second;
    if (actual) by_uuid.erase(domain);
    std::string state = ReconcileOne(listed, actual, report);
    if (!state.empty()) ++by_state[state];
  }
  {
    std::lock_guard lock(owned_mu_);
    owned_ = std::move(owned);
  }
  for (const auto& [uuid, domain] : by_uuid) {
    ++report.unknown_domains;
    report.messages.push_back("domain '" + domain->name + "' (" + uuid +
                              ") on the hypervisor has no vm record");
  }

  // Drift is summarised: the counts below and novacron_vm_drift, plus the first few changes.
  // Thousands of VMs must not mean thousands of log lines per round.
  const size_t logged = std::min(report.messages.size(), kLoggedMessages);
  for (size_t i = 0; i < logged; ++i) log_.Warn("reconcile", {{"detail", report.messages[i]}});
  if (report.messages.size() > logged) {
    log_.Warn("reconcile", {{"detail", std::to_string(report.messages.size() - logged) +
                                           " more changes not logged; see GET /api/v1/vms and "
                                           "novacron_vm_drift"}});
  }
  log_.Info("reconciled", {{"checked", report.checked},
                           {"converged", report.converged},
                           {kMissing, report.missing_on_hypervisor},
                           {"unknown_domains", report.unknown_domains}});
  if (metrics_.drift) {
    metrics_.drift->WithLabels({kMissing}).Set(report.missing_on_hypervisor);
    metrics_.drift->WithLabels({kUnknown}).Set(report.unknown_domains);
  }
  if (metrics_.vms) {
    for (VmState s : kAllVmStates) {
      std::string name(VmStateName(s));
      metrics_.vms->WithLabels({name}).Set(by_state[name]);
    }
  }
  if (metrics_.reconciles) metrics_.reconciles->WithLabels({"ok"}).Inc();
  return report;
}

std::string VmManagerImpl::ReconcileOne(const store::VmRecord& listed, const DomainStatus* actual,
                                        ReconcileReport& report) {
  // The common case costs no lock and no read: the listing already agrees with the hypervisor.
  // (A listing older than an operation that just ended is caught by the next round.)
  const std::optional<VmState> listed_state = ParseVmState(listed.state);
  const std::string expected_drift = actual ? "" : kMissing;
  if (listed_state && *listed_state != VmState::kDeleting &&
      !MayNeedSettle(*listed_state, actual) && listed.drift == expected_drift) {
    if (!actual) ++report.missing_on_hypervisor;
    return listed.state;
  }
  std::shared_ptr<VmLane> lane = LaneFor(listed.id);
  std::lock_guard lock(lane->mu);
  if (lane->busy) return listed.state;  // an operation is under way; it settles at its end
  // Read again under the lane: the listing may be older than an operation that just finished.
  Result<store::VmRecord> record = store_.Get(listed.id);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kNotFound) return "";
    report.messages.push_back("vm '" + listed.name + "': " + record.status().ToString());
    return listed.state;
  }
  if (!Mine(*record)) return "";  // it moved to another node meanwhile: not ours to count
  std::optional<VmState> recorded = ParseVmState(record->state);
  if (!recorded) {
    report.messages.push_back("vm " + record->id + ": unknown stored state " + record->state);
    return record->state;
  }
  if (*recorded == VmState::kDeleting) {
    // A delete interrupted by a restart, or one another node accepted (cluster mode): finish
    // it, powering the domain off first when a forced delete found it running.
    if (actual && IsPoweredOn(actual->power)) {
      Status destroyed = hypervisor_.Destroy(record->id);
      if (!destroyed.ok() && destroyed.code() != ErrorCode::kNotFound) {
        report.messages.push_back("vm '" + record->name +
                                  "': power off to delete: " + destroyed.ToString());
        return record->state;
      }
    }
    Status finished = FinishDelete(*record, std::nullopt);
    if (finished.ok()) {
      ++report.converged;
      report.messages.push_back("vm '" + record->name + "': finished an interrupted delete");
      return "";
    }
    report.messages.push_back("vm '" + record->name + "': " + finished.ToString());
    return std::string(VmStateName(VmState::kStopped));
  }
  DomainStatus defined_now;
  if (Clustered() && record->drift == kDriftNotDefined) {
    // Placed on this node (a create, or an HA failover): make its domain.
    if (!actual) {
      Status adopted = AdoptLocked(*record);
      if (!adopted.ok()) {
        report.messages.push_back("vm '" + record->name + "': " + adopted.ToString());
        return std::string(VmStateName(VmState::kFailed));
      }
      ++report.converged;
      report.messages.push_back("vm '" + record->name + "': defined here (placed on this node)");
    }
    Result<DomainStatus> now = hypervisor_.GetDomain(record->id);
    if (now.ok()) {
      defined_now = *now;
      actual = &defined_now;
    }
  }
  if (Clustered() && record->drift == kDriftResizeRequested && actual &&
      !IsPoweredOn(actual->power)) {
    ResizeForOthersLocked(*record, *actual, report);
  }
  if (Clustered() && record->drift == kDriftRebootRequested) {
    // A reboot accepted by another node: carry it out when the domain runs; the settle below
    // clears the mark either way (a VM that is not running has nothing to reboot).
    if (actual && IsPoweredOn(actual->power)) {
      Status rebooted = hypervisor_.Reboot(record->id);
      CountOperation("reboot", rebooted);
      report.messages.push_back("vm '" + record->name + "': " +
                                (rebooted.ok()
                                     ? std::string("rebooted (asked through another node)")
                                     : "reboot failed: " + rebooted.ToString()));
    }
  }
  if (TakeFencedOff(record->id) && *recorded == VmState::kRunning && actual &&
      !IsPoweredOn(actual->power)) {
    // Fencing powered it off and the VM stayed here: it is wanted running, so start it again.
    Result<store::VmRecord> restart =
        Mutate(record->id, std::nullopt, [](store::VmRecord& r) -> Result<bool> {
          r.state = std::string(VmStateName(VmState::kStarting));
          return true;
        });
    if (restart.ok()) {
      record = restart;
      recorded = VmState::kStarting;
    }
  }
  const std::string drift = actual ? "" : kMissing;
  if (!actual) {
    ++report.missing_on_hypervisor;
    if (record->drift != kMissing) {  // news: said once, not every round
      report.messages.push_back("vm '" + record->name + "' (" + record->id +
                                ") is recorded but has no domain on " +
                                std::string(hypervisor_.uri()));
    }
  }
  if (!MayNeedSettle(*recorded, actual) && drift == record->drift) return record->state;
  Result<store::VmRecord> settled = SettleLocked(record->id, std::nullopt, false, &drift);
  if (!settled.ok()) {
    report.messages.push_back("vm '" + record->name + "': " + settled.status().ToString());
    return record->state;
  }
  if (settled->state != record->state) {
    ++report.converged;
    report.messages.push_back("vm '" + record->name + "': " + record->state + " -> " +
                              settled->state + " (the hypervisor reports " +
                              std::string(actual ? PowerStateName(actual->power) : "no domain") +
                              ")");
  }
  // Still transitional with nothing queued: the operation was lost with an earlier process (or
  // its outcome could not be written). Carry it out again; its settle decides the rest.
  std::optional<VmState> now = ParseVmState(settled->state);
  if (actual && now && (*now == VmState::kStarting || *now == VmState::kStopping)) {
    VmOperation again = *now == VmState::kStarting ? VmOperation::kStart : VmOperation::kShutdown;
    if (Enqueue(lane, record->id, again)) {
      report.messages.push_back("vm '" + record->name + "': resumed an interrupted " +
                                std::string(VmOperationName(again)));
    }
  }
  return settled->state;
}

}  // namespace novacron::vm
