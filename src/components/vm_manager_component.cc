#include "components/vm_manager_component.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "components/cache_component.h"
#include "components/database_component.h"
#include "vm/manager_impl.h"

namespace novacron::components {

std::string VmDiskDir(const config::Config& config) {
  if (!config.vm.disk_dir.empty()) return config.vm.disk_dir;
  return (std::filesystem::path(config.system.data_dir) / "vms").string();
}

std::vector<std::string> VmImageDirs(const config::Config& config) {
  if (!config.vm.image_dirs.empty()) return config.vm.image_dirs;
  return {(std::filesystem::path(config.system.data_dir) / "images").string()};
}

VmManagerComponent::~VmManagerComponent() { StopLoop(); }

Status VmManagerComponent::DoStart(lifecycle::StartContext& ctx) {
  const config::VmConfig& vm = config().vm;
  store_ = ctx.Dep<DatabaseComponent>().store();
  if (!store_) return FailedPrecondition("the state store is not open");

  vm::DriverOptions driver;
  driver.uri = vm.hypervisor_uri;
  driver.domain_type = std::string(config::ToString(vm.domain_type));
  driver.disk_dir = VmDiskDir(config());
  std::error_code ec;
  std::filesystem::create_directories(driver.disk_dir, ec);
  if (ec) {
    return FailedPrecondition("vm.disk_dir " + driver.disk_dir +
                              ": cannot create: " + ec.message());
  }
  driver.image_dirs = VmImageDirs(config());
  if (vm.image_dirs.empty()) {
    // The default image dir is ours to create, private like the data dir; configured ones are
    // the operator's (a missing one holds no image until it exists).
    const std::string& images = driver.image_dirs.front();
    if (mkdir(images.c_str(), 0700) != 0 && errno != EEXIST) {
      return FailedPrecondition("vm.image_dirs (default " + images +
                                "): cannot create: " + std::strerror(errno));
    }
  }
  Result<std::unique_ptr<vm::Hypervisor>> hypervisor = vm::OpenLibvirtHypervisor(driver);
  if (!hypervisor.ok()) {
    return hypervisor.status().Wrap(
        "vm.hypervisor_uri " + vm.hypervisor_uri +
        " (to try NovaCron without a hypervisor, set vm.hypervisor_uri=test:///default)");
  }
  hypervisor_ = std::move(hypervisor).value();

  vm::ManagerDeps deps;
  cache_ = ctx.Dep<CacheComponent>().cache();
  deps.store = &store_->vms();
  const bool clustered = config().cluster.mode == config::ClusterMode::kEtcd;
  // Cluster mode: other nodes write the records too, so a node-local cache would serve stale
  // versions (wrong ETags); etcd reads are fast enough without one (docs/cluster.md).
  if (cache_ && !clustered) {
    cached_vms_ =
        std::make_unique<cache::CachedVmStore>(store_->vms(), *cache_, config().storage.cache_ttl);
    deps.store = cached_vms_.get();
  }
  deps.hypervisor = hypervisor_.get();
  deps.logger = log();
  deps.metrics = &runtime().metrics;
  vm::ManagerOptions options;
  options.cpu_overcommit = vm.cpu_overcommit_percent / 100.0;
  options.memory_overcommit = vm.memory_overcommit_percent / 100.0;
  options.shutdown_grace = vm.shutdown_timeout;
  if (clustered) options.node_id = config().system.node_id;
  Result<std::unique_ptr<vm::VmManager>> manager = vm::NewVmManager(deps, options);
  if (!manager.ok()) return manager.status();
  manager_ = std::move(manager).value();

  // Ready does not wait for reconciliation (per-record work): the loop's first round runs now,
  // beside the rest of the boot, and logs "reconciled" with the counts.
  log().Info("vm manager ready",
             {{"hypervisor_uri", vm.hypervisor_uri}, {"domain_type", driver.domain_type}});
  {
    std::lock_guard lock(loop_mu_);
    loop_stop_ = false;
  }
  loop_ = std::thread([this] { ReconcileLoop(); });
  return {};
}

void VmManagerComponent::ReconcileLoop() {
  const auto interval = config().vm.reconcile_interval;
  std::unique_lock lock(loop_mu_);
  bool first = true;  // the first round runs at once: it is the reconciliation at start
  while (first || !loop_wake_.wait_for(lock, interval, [&] { return loop_stop_; })) {
    if (first && loop_stop_) break;
    first = false;
    lock.unlock();
    Result<vm::ReconcileReport> report = manager_->Reconcile();
    {
      std::lock_guard health(health_mu_);
      last_reconcile_error_ = report.ok() ? "" : report.status().ToString();
    }
    if (!report.ok()) {
      log().Warn("reconcile failed", {{"error", report.status().ToString()}});
    }
    // Idempotency-Keys are honoured for a day (docs/api.md).
    Result<int> pruned =
        store_->vms().PruneIdempotency(std::chrono::system_clock::now() - std::chrono::hours(24));
    if (!pruned.ok()) {
      log().Warn("cannot prune idempotency keys", {{"error", pruned.status().ToString()}});
    }
    lock.lock();
  }
}

void VmManagerComponent::StopLoop() {
  {
    std::lock_guard lock(loop_mu_);
    loop_stop_ = true;
  }
  loop_wake_.notify_all();
  if (loop_.joinable()) loop_.join();
}

Status VmManagerComponent::Stop(lifecycle::StopContext&) {
  StopLoop();
  manager_.reset();  // finishes queued operations
  hypervisor_.reset();
  cached_vms_.reset();
  cache_.reset();
  store_.reset();
  return {};
}

lifecycle::HealthReport VmManagerComponent::Health() const {
  std::lock_guard lock(health_mu_);
  if (!last_reconcile_error_.empty()) {
    return lifecycle::HealthReport::Degraded("last reconciliation failed: " +
                                             last_reconcile_error_);
  }
  return {};
}

}  // namespace novacron::components
