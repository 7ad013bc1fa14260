// The VM manager: the one place that changes VMs. It validates, admits (capacity), records the
// desired state durably in the store, drives the hypervisor, follows its events and reconciles
// the two. The API and the reconciliation loop call it; it is thread-safe.
//
// Writes are acknowledged only after the store committed them. Actions that take time (start,
// shutdown) return at once with the VM in a transitional state; a worker finishes them and the
// VM's state (and `last_error`) tell the outcome.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/vm_store.h"
#include "vm/admission.h"
#include "vm/hypervisor.h"
#include "vm/vm_spec.h"
#include "vm/vm_state.h"

namespace novacron::vm {

// A VM as the API shows it.
struct Vm {
  std::string id;
  VmSpec spec;
  VmState state = VmState::kDefined;
  std::string drift;       // "" | "missing_on_hypervisor" | "state_mismatch" | ...
  std::string last_error;  // the last failed operation, "" when none
  int64_t version = 0;     // the ETag
  std::string node;        // cluster mode: the node that owns (runs) it; "" unplaced/standalone
  std::chrono::system_clock::time_point created_at{};
  std::chrono::system_clock::time_point updated_at{};
};

struct VmList {
  std::vector<Vm> items;
  std::string next_cursor;
};

// Power-off flavours of the stop action.
enum class StopMode { kGraceful, kForce };

struct NodeView {
  NodeInventory inventory;
  Capacity capacity;
  std::map<std::string, int> vms_by_state;
  std::string hypervisor_uri;
};

// Changes a PATCH may make; unset fields stay. vcpus / memory need a stopped or defined VM.
struct VmPatch {
  std::optional<int> vcpus;
  std::optional<uint64_t> memory_mib;
  std::optional<std::map<std::string, std::string>> labels;  // replaces all labels
};

struct ReconcileReport {
  int checked = 0;
  int converged = 0;  // records whose state was corrected from the hypervisor
  int missing_on_hypervisor = 0;
  int unknown_domains = 0;  // domains on the hypervisor that no record names
  std::vector<std::string> messages;
};

struct ManagerOptions {
  double cpu_overcommit = 4.0;                       // `vm.cpu_overcommit`
  double memory_overcommit = 1.0;                    // `vm.memory_overcommit`
  std::chrono::milliseconds shutdown_grace{30'000};  // `vm.shutdown_timeout`
  int workers = 4;                                   // concurrent long operations
  // Cluster mode (docs/cluster.md, "Ownership"): this node's id. Records name the node that owns
  // them; this manager drives the hypervisor only for its own, and for the others writes the
  // desired state for their owner to carry out. "" (standalone): every record is this node's.
  std::string node_id;
};

class VmManager {
 public:
  virtual ~VmManager() = default;

  // kInvalidArgument (field errors in the message) for a bad spec; kAlreadyExists for a taken
  // name; kResourceExhausted when it does not fit the node. With `start`, the VM is started
  // right after it was defined (the returned VM is `starting`).
  virtual Result<Vm> Create(const VmSpec& spec, bool start) = 0;
  // By id or by name.
  virtual Result<Vm> Get(const std::string& id_or_name) = 0;
  virtual Result<VmList> List(const store::VmListFilter& filter,
                              const store::VmPageRequest& page) = 0;
  // kConflict when `if_match` is set and differs from the stored version, or when the change
  // is not allowed in the VM's state.
  virtual Result<Vm> Update(const std::string& id_or_name, const VmPatch& patch,
                            std::optional<int64_t> if_match) = 0;
  virtual Result<Vm> Start(const std::string& id_or_name, std::optional<int64_t> if_match) = 0;
  virtual Result<Vm> Stop(const std::string& id_or_name, StopMode mode,
                          std::optional<int64_t> if_match) = 0;
  virtual Result<Vm> Reboot(const std::string& id_or_name, std::optional<int64_t> if_match) = 0;
  // Undefines the domain, removes its disks and the record. kConflict unless the VM is defined,
  // stopped or failed, except with `force`, which powers it off first.
  virtual Status Delete(const std::string& id_or_name, std::optional<int64_t> if_match,
                        bool force) = 0;

  virtual Result<NodeView> Node() = 0;
  // Every domain the hypervisor has, this daemon's or not, with its power state (what
  // `virsh list --all` shows): what really runs here, whatever the records say.
  virtual Result<std::vector<DomainStatus>> Domains() = 0;
  virtual Result<ReconcileReport> Reconcile() = 0;

  // Changes whenever a VM record this manager wrote changed (create, any update, delete). Read
  // it before reading VMs: an answer computed after reading generation g stays current while
  // generation() == g, so readers can cache what they render (writes by other processes sharing
  // the database are not seen: bound such caches in time too).
  virtual uint64_t generation() const = 0;
};

// The owner's side of cluster mode, implemented by a manager made with ManagerOptions::node_id
// (docs/cluster.md, "Ownership" and "Fencing"). The orchestrator drives it from its watch on the
// VM records and from the node's lease.
class VmOwnerDuties {
 public:
  virtual ~VmOwnerDuties() = default;

  // Reconciles one record now (the watch saw it change): a VM placed here is defined (and
  // started when its state says so), an accepted start/stop/delete written by another node is
  // carried out, and a local domain of a VM now owned by another node is powered off and
  // undefined (its disks stay: they may be the ones the new owner runs on).
  virtual Status ReconcileVm(const std::string& id) = 0;

  // Fenced: the node lost its lease. Until SetFenced(false) it acts on no VM: reconciliation
  // and event settling pause, and actions on its VMs are refused with kUnavailable.
  virtual void SetFenced(bool fenced) = 0;
  // Powers off the local domains of this node's HA VMs (they are about to be restarted
  // elsewhere); returns how many were running. Uses what the manager last knew of its records,
  // so it works while etcd is unreachable. On rejoin, those still owned here start again.
  virtual int FenceHaDomains() = 0;
  // Another node changed a record (the watch saw it): answers cached against generation() are
  // stale now.
  virtual void NoteRecordChanged() = 0;
};

}  // namespace novacron::vm
