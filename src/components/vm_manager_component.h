// vm_manager: VMs on this node's hypervisor (libvirt at vm.hypervisor_uri). Opens the driver,
// builds the VM manager over the state store, reconciles records against the hypervisor at
// start and every vm.reconcile_interval.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cache/cached_vm_store.h"
#include "components/node_component.h"
#include "vm/hypervisor.h"
#include "vm/manager.h"

namespace novacron::components {

class VmManagerComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "vm_manager";
  using NodeComponent::NodeComponent;
  ~VmManagerComponent() override;

  // Null unless the component runs.
  vm::VmManager* manager() const { return manager_.get(); }
  // The owner's side of cluster mode; null unless the component runs.
  vm::VmOwnerDuties* owner_duties() const {
    return dynamic_cast<vm::VmOwnerDuties*>(manager_.get());
  }

  Status Stop(lifecycle::StopContext& ctx) override;
  lifecycle::HealthReport Health() const override;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  void ReconcileLoop();
  void StopLoop();

  std::shared_ptr<store::StateStore> store_;  // keeps the store open while VMs are managed
  std::shared_ptr<cache::Cache> cache_;
  std::unique_ptr<cache::CachedVmStore> cached_vms_;  // when the cache is on
  std::unique_ptr<vm::Hypervisor> hypervisor_;
  std::unique_ptr<vm::VmManager> manager_;

  std::mutex loop_mu_;
  std::condition_variable loop_wake_;
  bool loop_stop_ = false;
  std::thread loop_;

  mutable std::mutex health_mu_;
  std::string last_reconcile_error_;
};

// Where VM disks live: vm.disk_dir, or <data_dir>/vms.
std::string VmDiskDir(const config::Config& config);
// Where base images, kernels and initrds may come from: vm.image_dirs, or <data_dir>/images.
std::vector<std::string> VmImageDirs(const config::Config& config);

}  // namespace novacron::components
