// The hypervisor driver interface: what the VM manager needs from libvirt (or anything else that
// runs VMs). Domains are addressed by the VM's UUID (the store id), which is also the libvirt
// domain UUID; the domain name is the VM name. Implementations are thread-safe and report
// errors as Status: kNotFound for an unknown domain, kUnavailable when the hypervisor cannot be
// reached (retriable), kFailedPrecondition when the domain is not in a state for the call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "vm/vm_spec.h"
#include "vm/vm_state.h"

namespace novacron::vm {

// What the hypervisor says about the host.
struct NodeInventory {
  std::string hostname;
  std::string hypervisor;  // e.g. "QEMU 7.2.0" or "Test"
  int cpus = 0;            // logical CPUs
  uint64_t memory_mib = 0;
};

// Coarse power state of a domain as the hypervisor reports it.
enum class PowerState { kRunning, kPaused, kShutOff, kCrashed, kOther };
std::string_view PowerStateName(PowerState state);
// Running or paused: the domain exists as a live guest (what a `running` record means).
bool IsPoweredOn(PowerState state);

struct DomainStatus {
  std::string uuid;
  std::string name;
  PowerState power = PowerState::kOther;
  int vcpus = 0;
  uint64_t memory_mib = 0;
};

// How the driver lays out a VM's files: disks go to `<disk_dir>/<uuid>/disk<n>.qcow2`, the
// serial log (when on) to `<disk_dir>/<uuid>/serial.log`.
struct DriverOptions {
  std::string uri = "qemu:///system";  // `vm.hypervisor_uri`
  std::string domain_type = "kvm";     // `vm.domain_type`
  std::string disk_dir;                // `<data_dir>/vms` by default; absolute
  // `vm.image_dirs` (`<data_dir>/images` by default): where base_image, kernel and initrd may
  // come from (vm/host_paths.h). Empty: no file is acceptable.
  std::vector<std::string> image_dirs{};
  std::string qemu_img = "qemu-img";                // binary used to inspect and create disks
  std::chrono::milliseconds child_timeout{60'000};  // each qemu-img run; then it is killed
  std::chrono::milliseconds connect_timeout{10'000};
};

// Called from the driver's event thread when a domain started, stopped or crashed on its own
// or because of a call; must not block.
using DomainEventCallback = std::function<void(const std::string& uuid, VmEvent event)>;

class Hypervisor {
 public:
  virtual ~Hypervisor() = default;

  virtual std::string_view uri() const = 0;
  virtual Result<NodeInventory> Inventory() = 0;
  // Every domain the hypervisor knows (defined or running), ours or not.
  virtual Result<std::vector<DomainStatus>> ListDomains() = 0;
  virtual Result<DomainStatus> GetDomain(const std::string& uuid) = 0;

  // The slow part of a create, which callers run outside their locks: checks the spec's host
  // paths and images (vm/host_paths.h; kInvalidArgument naming the field, in the
  // vm/spec_errors.h format) and creates the disks (qemu-img, each run with a timeout:
  // kDeadlineExceeded). Define(uuid, ...) then uses them; Unprepare(uuid) drops them when the
  // VM is not defined after all. Drivers without host files need not override it.
  virtual Status Prepare(const std::string& uuid, const VmSpec& spec) {
    (void)uuid;
    (void)spec;
    return Status::Ok();
  }
  // Removes what Prepare made for `uuid` unless Define used it; OK when there is nothing.
  virtual Status Unprepare(const std::string& uuid) {
    (void)uuid;
    return Status::Ok();
  }
  // Defines the persistent domain from GenerateDomainXml over the disks Prepare made (or, when
  // it was not called, prepares them first). Nothing is left behind on failure.
  virtual Status Define(const std::string& uuid, const VmSpec& spec) = 0;
  // Replaces the definition of a shut-off domain (vcpus, memory, labels) keeping its disks.
  virtual Status Redefine(const std::string& uuid, const VmSpec& spec) {
    (void)uuid;
    (void)spec;
    return FailedPrecondition("this hypervisor driver cannot change a defined vm");
  }
  virtual Status Start(const std::string& uuid) = 0;
  // Asks the guest to power off (ACPI) and waits up to `grace`; then destroys it. Returns when
  // the domain is shut off.
  virtual Status Stop(const std::string& uuid, std::chrono::milliseconds grace) = 0;
  // Hard power-off.
  virtual Status Destroy(const std::string& uuid) = 0;
  virtual Status Reboot(const std::string& uuid) = 0;
  // Undefines a shut-off domain; removes the disks this driver created when `remove_disks`.
  virtual Status Undefine(const std::string& uuid, bool remove_disks) = 0;

  // Registers the event callback (replacing any earlier one). Events may arrive for domains
  // that are not ours; the callback filters. When this returns, the earlier callback is not
  // running and is never called again (its owner may be destroyed right after).
  virtual void SetEventCallback(DomainEventCallback callback) = 0;
};

// The libvirt driver (connects at once; kUnavailable when the URI cannot be opened).
Result<std::unique_ptr<Hypervisor>> OpenLibvirtHypervisor(const DriverOptions& options);

}  // namespace novacron::vm
