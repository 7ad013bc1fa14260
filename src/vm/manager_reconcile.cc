// Reconciliation: the store holds the desired state, the hypervisor the actual one. Records
// in a stable state follow what the hypervisor reports (a guest that powered itself off while
// the daemon was down is stopped now); records left in a transitional state by a restart are
// finished; what cannot be converged is reported as drift on the record, in the logs and in
// novacron_vm_drift.
#include <map>

#include "vm/manager_internal.h"

namespace novacron::vm {
namespace {

constexpr char kMissing[] = "missing_on_hypervisor";
constexpr char kUnknown[] = "unknown_domain";

// The state a record should have, given what the hypervisor reports; nullopt: leave it.
std::optional<VmState> Converge(VmState recorded, PowerState power) {
  bool on = power == PowerState::kRunning || power == PowerState::kPaused;
  switch (recorded) {
    case VmState::kRunning:
    case VmState::kStarting:
      if (on) return VmState::kRunning;
      if (power == PowerState::kCrashed) return VmState::kFailed;
      if (power == PowerState::kShutOff) {
        return recorded == VmState::kStarting ? VmState::kFailed : VmState::kStopped;
      }
      return std::nullopt;
    case VmState::kStopping:
      if (power == PowerState::kShutOff) return VmState::kStopped;
      if (on) return VmState::kRunning;  // the stop was lost with the old process
      return std::nullopt;
    case VmState::kDefined:
    case VmState::kStopped:
    case VmState::kFailed:
      if (on) return VmState::kRunning;  // started behind our back
      if (recorded == VmState::kFailed && power == PowerState::kShutOff) return VmState::kStopped;
      return std::nullopt;
    case VmState::kDeleting:
      return std::nullopt;  // finished below
  }
  return std::nullopt;
}

}  // namespace

Result<ReconcileReport> VmManagerImpl::Reconcile() {
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
  for (const store::VmRecord& record : *records) {
    ++report.checked;
    auto domain = by_uuid.find(record.id);
    const DomainStatus* actual = domain == by_uuid.end() ? nullptr : domain->second;
    if (actual) by_uuid.erase(domain);
    if (InFlight(record.id)) {
      ++by_state[record.state];
      continue;  // an operation is under way; its outcome will be recorded
    }
    std::optional<VmState> recorded = ParseVmState(record.state);
    if (!recorded) {
      report.messages.push_back("vm " + record.id + ": unknown stored state " + record.state);
      continue;
    }
    if (*recorded == VmState::kDeleting) {
      // A delete interrupted by a restart: finish it.
      Status undefined = actual ? hypervisor_.Undefine(record.id, true) : Status();
      if (undefined.ok() || undefined.code() == ErrorCode::kNotFound) {
        Status deleted = store_.Delete(record.id, std::nullopt);
        if (deleted.ok()) {
          Bump();
          ++report.converged;
          report.messages.push_back("vm '" + record.name + "': finished an interrupted delete");
          continue;
        }
      }
    }
    std::string drift;
    std::optional<VmState> target;
    if (actual == nullptr) {
      drift = kMissing;
      ++report.missing_on_hypervisor;
      report.messages.push_back("vm '" + record.name + "' (" + record.id +
                                ") is recorded but has no domain on " +
                                std::string(hypervisor_.uri()));
    } else {
      target = Converge(*recorded, actual->power);
    }
    bool change_state = target && *target != *recorded;
    if (!change_state && drift == record.drift) {
      ++by_state[record.state];
      continue;
    }
    Result<store::VmRecord> written =
        Mutate(record.id, std::nullopt, [&](store::VmRecord& r) -> Result<bool> {
          if (r.state != record.state) return false;  // moved on meanwhile
          if (change_state) r.state = std::string(VmStateName(*target));
          r.drift = drift;
          return true;
        });
    if (!written.ok()) {
      report.messages.push_back("vm '" + record.name + "': " + written.status().ToString());
      ++by_state[record.state];
      continue;
    }
    ++by_state[written->state];
    if (change_state) {
      ++report.converged;
      report.messages.push_back("vm '" + record.name + "': " + record.state + " -> " +
                                written->state + " (hypervisor reports " +
                                std::string(PowerStateName(actual->power)) + ")");
    }
  }
  for (const auto& [uuid, domain] : by_uuid) {
    ++report.unknown_domains;
    report.messages.push_back("domain '" + domain->name + "' (" + uuid +
                              ") on the hypervisor has no vm record");
  }

  for (const std::string& message : report.messages) {
    log_.Warn("reconcile", {{"detail", message}});
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

}  // namespace novacron::vm
