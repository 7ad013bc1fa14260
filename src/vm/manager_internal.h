// The VmManager implementation's class, shared by manager_impl.cc (records: create, read,
// update), manager_lanes.cc (power operations, delete, events, settling) and
// manager_reconcile.cc (reconciliation). Not part of the module's interface.
//
// Each VM has a lane: the operations accepted for it run in the order they were accepted, one
// hypervisor call at a time, and every write of its state is decided while holding the lane's
// mutex from the domain's actual power state (vm/settle.h). docs/vm-state-machine.md explains
// why and lists the rules.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "observe/log.h"
#include "observe/metrics.h"
#include "store/vm_store.h"
#include "vm/hypervisor.h"
#include "vm/job_queue.h"
#include "vm/manager.h"
#include "vm/manager_impl.h"
#include "vm/settle.h"

namespace novacron::vm {

struct ManagerMetrics {
  observe::GaugeFamily* vms = nullptr;           // novacron_vms{state}
  observe::CounterFamily* operations = nullptr;  // novacron_vm_operations_total{operation,result}
  observe::GaugeFamily* drift = nullptr;         // novacron_vm_drift{kind}
  observe::CounterFamily* events = nullptr;      // novacron_vm_events_total{event}
  observe::CounterFamily* reconciles = nullptr;  // novacron_vm_reconcile_runs_total{result}
};

// kConflict naming both versions when `if_match` is set and differs from the record's.
Status CheckIfMatch(const store::VmRecord& record, std::optional<int64_t> if_match);

// `message` with the time it is written, as a last_error says what failed and when.
std::string StampError(const std::string& message);

// Drift values of cluster mode (docs/cluster.md, "Ownership"): the record waits for the leader
// to place it, or for its new owner to define its domain. The leader writes the same values
// (cluster/leader_plan.h); src/vm does not depend on src/cluster.
inline constexpr char kDriftUnplaced[] = "unplaced";
inline constexpr char kDriftNotDefined[] = "not_defined";
// A reboot accepted by a node that does not own the VM, for its owner to carry out.
inline constexpr char kDriftRebootRequested[] = "reboot_requested";
// New vcpus/memory written through a node that does not own the VM: its owner admits them and
// redefines the domain, or puts the sizes back with the reason in last_error.
inline constexpr char kDriftResizeRequested[] = "resize_requested";

// Whether the canonical spec JSON of a record asks for HA. The canonical form (nlohmann's dump,
// no spaces) writes the field as "ha":true and a label or selector cannot produce that text
// unescaped, so this spares parsing every spec in a reconcile round.
bool SpecJsonSaysHa(const std::string& spec_json);

class VmManagerImpl final : public VmManager, public VmOwnerDuties {
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
  Result<std::vector<DomainStatus>> Domains() override { return hypervisor_.ListDomains(); }
  Result<ReconcileReport> Reconcile() override;

  uint64_t generation() const override { return generation_.load(std::memory_order_acquire); }

  Status ReconcileVm(const std::string& id) override;
  void SetFenced(bool fenced) override;
  int FenceHaDomains() override;
  void NoteRecordChanged() override { Bump(); }

  void Drain() { jobs_.Drain(); }

 private:
  // Returns true when the record was changed and must be written, false for no change.
  using Mutation = std::function<Result<bool>(store::VmRecord&)>;

  // One VM's serialization point. Lock order: admission_mu_, then a lane's mu, then lanes_mu_.
  struct VmLane {
    // Held while the VM's state is decided and written (accept, settle, reconcile, update,
    // reboot, delete), never during a start or stop call: those run on a worker in between.
    std::mutex mu;
    std::condition_variable idle;   // notified when `busy` turns false
    std::deque<VmOperation> queue;  // guarded by mu: accepted, not begun, in accept order
    bool busy = false;              // guarded by mu: a worker is running this lane
    bool deleting = false;          // guarded by mu: a delete took the VM; queued work is moot
  };

  // Cluster mode: whether this node owns (drives the domain of) `record`. Always in standalone.
  bool Mine(const store::VmRecord& record) const {
    return options_.node_id.empty() || record.owner == options_.node_id;
  }
  bool Clustered() const { return !options_.node_id.empty(); }
  // kUnavailable while fenced: the node must not touch its VMs (docs/cluster.md, "Fencing").
  Status CheckNotFenced(const std::string& what) const;

  // Cluster mode: records the VM for the leader to place (owner "", drift unplaced); no domain
  // is made here, the owner defines it.
  Result<Vm> CreateUnplaced(const VmSpec& spec, bool start);
  // An action on a VM owned by another node (or not placed yet): writes the state the action
  // leads to; the owner's watch sees it and carries it out.
  Result<Vm> AcceptForOwner(const store::VmRecord& found, VmAction action,
                            std::optional<int64_t> if_match);
  // REQUIRES: the lane's mu held. Carries out a resize another node accepted (drift
  // resize_requested) on the shut-off domain `actual`: admit and redefine, or write the domain's
  // sizes back into the record with the reason. Leaves the drift for the settle to clear.
  void ResizeForOthersLocked(const store::VmRecord& record, const DomainStatus& actual,
                             ReconcileReport& report);
  // A reboot of another node's VM: marks the record (drift reboot_requested) for the owner,
  // which reboots the domain and clears the mark. The VM must be running.
  Status RequestRebootFromOwner(const store::VmRecord& found, std::optional<int64_t> if_match);
  // A delete of another node's VM: marks it deleting and waits (bounded) for the owner to
  // remove it; an unplaced one is removed here.
  Status DeleteForOwner(const store::VmRecord& found, std::optional<int64_t> if_match, bool force);
  // REQUIRES: the VM's lane mu held. Makes the domain of a VM placed on this node (disks from
  // its base images, then the definition); on failure the record turns failed with the error.
  Status AdoptLocked(const store::VmRecord& record);
  // A local domain whose record another node owns now: power it off and undefine it, keeping
  // its disks. Takes the VM's lane; skips (until the next round) when an operation runs on it.
  void RemoveForeignDomain(const store::VmRecord& record, const DomainStatus& domain,
                           ReconcileReport& report);
  // Fenced: powers off the domain of `id` when it is one of this node's HA VMs (a start that
  // raced the fence); remembers it for the restart on rejoin. True when it was powered off.
  bool PowerOffIfHa(const std::string& id);
  // Remembers which of this node's VMs are HA, for FenceHaDomains().
  void NoteOwned(const std::string& id, bool ha);
  // Whether fencing powered off the domain of `id`; forgets it.
  bool TakeFencedOff(const std::string& id);

  // The mutation that moves a record through a user `action` (ApplyAction) and clears its
  // last_error; kConflict when the action is not allowed in the record's state.
  static Mutation ActionMutation(VmAction action);

  Result<store::VmRecord> Find(const std::string& id_or_name);
  // Reads, mutates and writes the record with `id`; retries when a concurrent writer moved the
  // version on, unless `if_match` pins the version the caller saw.
  Result<store::VmRecord> Mutate(const std::string& id, std::optional<int64_t> if_match,
                                 const Mutation& mutation);
  Result<Capacity> CurrentCapacity(const std::string& exclude_id);

  // The lane of VM `id`, made on first use.
  std::shared_ptr<VmLane> LaneFor(const std::string& id);
  void DropLane(const std::string& id);
  // Moves the VM through `action`, records it and queues `operation` on its lane; answers with
  // the record as written (the 202 the API gives).
  Result<Vm> Accept(const std::string& id_or_name, VmAction action, VmOperation operation,
                    std::optional<int64_t> if_match);
  // REQUIRES: lane->mu held. Queues `operation` and starts a worker for the lane unless one
  // runs; false when the worker pool is shutting down (nothing is queued then).
  bool Enqueue(const std::shared_ptr<VmLane>& lane, const std::string& id, VmOperation operation);
  // A worker: runs the lane's queued operations to the end, settling after each one.
  void RunLane(const std::shared_ptr<VmLane>& lane, const std::string& id);
  Status Call(const std::string& id, VmOperation operation);
  // REQUIRES: the lane's mu held and no operation running on it. Reads the domain's power
  // state, applies Settle() and writes the result (and `drift` when given). kNotFound when the
  // record is gone.
  Result<store::VmRecord> SettleLocked(const std::string& id,
                                       const std::optional<FinishedOperation>& finished,
                                       bool more_queued, const std::string* drift = nullptr);
  // REQUIRES: the lane's mu held. Undefines the domain and removes the record; on failure puts
  // the record back to `restore` (or what the power state says) with the error.
  Status FinishDelete(const store::VmRecord& record, std::optional<VmState> restore);
  // REQUIRES: the lane's mu held. After a delete failed: the record goes back to `restore` (or
  // stopped), running if the domain runs, with `error` as last_error.
  void RestoreAfterFailedDelete(const store::VmRecord& record, std::optional<VmState> restore,
                                const Status& error);
  // Reconciles one listed record under its lane; returns the state it has afterwards ("" when
  // it is gone) for the per-state gauge.
  std::string ReconcileOne(const store::VmRecord& listed, const DomainStatus* actual,
                           ReconcileReport& report);
  // Called on the driver's event thread: hands the event to a worker (must not block).
  void OnDomainEvent(const std::string& uuid, VmEvent event);
  // A worker, after an event: settles the VM unless its lane is busy (which settles anyway).
  void SettleAfterEvent(const std::string& uuid);

  void Bump() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  void CountOperation(std::string_view operation, const Status& result);
  void CountStateChange(const std::string& from, const std::string& to);

  store::VmStore& store_;
  Hypervisor& hypervisor_;
  observe::Logger log_;
  const ManagerOptions options_;
  ManagerMetrics metrics_;

  std::mutex inventory_mu_;
  NodeInventory inventory_;  // guarded by inventory_mu_

  // Creates and resizes are admitted one at a time (guards no data: it orders admissions).
  std::mutex admission_mu_;

  std::mutex lanes_mu_;
  std::map<std::string, std::shared_ptr<VmLane>> lanes_;  // guarded by lanes_mu_

  std::atomic<uint64_t> generation_{1};  // bumped after every committed record write

  std::atomic<bool> fenced_{false};
  std::mutex owned_mu_;
  std::map<std::string, bool> owned_;  // guarded by owned_mu_: this node's VMs -> ha
  std::set<std::string> fenced_off_;   // guarded by owned_mu_: HA domains fencing powered off

  JobQueue jobs_;  // last member: its threads stop before the rest goes away
};

}  // namespace novacron::vm
