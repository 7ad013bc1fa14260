// The VmManager implementation's class, shared by manager_impl.cc (operations) and
// manager_reconcile.cc (reconciliation). Not part of the module's interface.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "observe/log.h"
#include "observe/metrics.h"
#include "store/vm_store.h"
#include "vm/hypervisor.h"
#include "vm/job_queue.h"
#include "vm/manager.h"
#include "vm/manager_impl.h"

namespace novacron::vm {

struct ManagerMetrics {
  observe::GaugeFamily* vms = nullptr;           // novacron_vms{state}
  observe::CounterFamily* operations = nullptr;  // novacron_vm_operations_total{operation,result}
  observe::GaugeFamily* drift = nullptr;         // novacron_vm_drift{kind}
  observe::CounterFamily* events = nullptr;      // novacron_vm_events_total{event}
  observe::CounterFamily* reconciles = nullptr;  // novacron_vm_reconcile_runs_total{result}
};

class VmManagerImpl final : public VmManager {
 public:
  VmManagerImpl(const ManagerDeps& deps, const ManagerOptions& options, NodeInventory inventory,
                ManagerMetrics metrics);
  ~VmManagerImpl() override;

  Result<Vm> Create(const VmSpec& spec, bool start) override;
  Result<Vm> Get(const std::string& id_or_name) override;
  Result<VmList> List(const store::VmListFilter& filter, const store::VmPageRequest& page) override;
  Result<Vm> Update(const std::string& id_or_name, const VmPatch& patch,
                    std::optional<int64_t> if_match) override;
  Result<Vm> Start(const std::string& id_or_name, std::optional<int64_t> if_match) override;
  Result<Vm> Stop(const std::string& id_or_name, StopMode mode,
                  std::optional<int64_t> if_match) override;
  Result<Vm> Reboot(const std::string& id_or_name, std::optional<int64_t> if_match) override;
  Status Delete(const std::string& id_or_name, std::optional<int64_t> if_match,
                bool force) override;
  Result<NodeView> Node() override;
  Result<ReconcileReport> Reconcile() override;

  uint64_t generation() const override { return generation_.load(std::memory_order_acquire); }

  void Drain() { jobs_.Drain(); }

 private:
  // Returns true when the record was changed and must be written, false for no change.
  using Mutation = std::function<Result<bool>(store::VmRecord&)>;

  Result<store::VmRecord> Find(const std::string& id_or_name);
  // Reads, mutates and writes the record with `id`; retries when a concurrent writer moved the
  // version on, unless `if_match` pins the version the caller saw.
  Result<store::VmRecord> Mutate(const std::string& id, std::optional<int64_t> if_match,
                                 const Mutation& mutation);
  // Moves the VM through `action` and records it; returns the record as written.
  Result<store::VmRecord> BeginAction(const std::string& id_or_name, VmAction action,
                                      std::optional<int64_t> if_match);
  Result<Capacity> CurrentCapacity(const std::string& exclude_id);

  void RunStart(const std::string& id);
  void RunStop(const std::string& id, StopMode mode);
  // After a failed driver call: take the state the hypervisor reports, keep the error.
  void RecordFailure(const std::string& id, const std::string& operation, const Status& error);
  void OnDomainEvent(const std::string& uuid, VmEvent event);
  void Post(const std::string& id, std::function<void()> job);
  bool InFlight(const std::string& id);

  void Bump() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  void CountOperation(std::string_view operation, const Status& result);
  void CountStateChange(const std::string& from, const std::string& to);

  store::VmStore& store_;
  Hypervisor& hypervisor_;
  observe::Logger log_;
  const ManagerOptions options_;
  ManagerMetrics metrics_;

  std::mutex inventory_mu_;
  NodeInventory inventory_;

  std::mutex admission_mu_;  // creates and resizes are admitted one at a time

  std::mutex inflight_mu_;
  std::map<std::string, int> inflight_;  // id -> queued or running jobs

  std::atomic<uint64_t> generation_{1};  // bumped after every committed record write

  JobQueue jobs_;  // last member: its threads stop before the rest goes away
};

}  // namespace novacron::vm
