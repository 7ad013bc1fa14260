// A GoogleTest fixture for the VM manager on real parts: a SQLite state store in a temp dir,
// libvirt's test:///default driver (shared by the whole test process, so names are unique per
// test and TearDown removes every domain it made) behind a PerturbingHypervisor, a capturing log
// sink and a metrics registry.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "observe/log_sink.h"
#include "observe/metrics.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"
#include "vm/manager_impl.h"
#include "vm/testing/perturbing_hypervisor.h"

namespace novacron::vm::testing {

class ManagerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions store_options;
    store_options.data_dir = dir_.path() / "data";
    auto opened = store::OpenSqliteStateStore(store_options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    DriverOptions driver;
    driver.uri = "test:///default";
    driver.domain_type = "qemu";
    driver.disk_dir = (dir_.path() / "disks").string();
    auto hypervisor = OpenLibvirtHypervisor(driver);
    ASSERT_TRUE(hypervisor.ok()) << hypervisor.status().ToString();
    real_ = std::move(hypervisor).value();
    OpenManager();
  }

  void TearDown() override {
    if (manager_) {
      flaky_->inject_faults = false;
      flaky_->ResumeCalls();
      flaky_->Release();
      DrainVmManager(*manager_);
      // test:///default is shared by the whole process: leave no domain behind.
      auto all = store_->vms().ListAll();
      if (all.ok()) {
        for (const auto& r : *all) (void)manager_->Delete(r.id, std::nullopt, true);
      }
    }
    manager_.reset();
    flaky_.reset();
  }

  // (Re)opens the driver decorator and the manager on the same store and driver.
  void OpenManager(ManagerOptions options = {}, EventPerturbation events = {},
                   CallFaults calls = {}) {
    manager_.reset();
    flaky_.reset();
    flaky_ = std::make_unique<PerturbingHypervisor>(*real_, events, calls);
    options.shutdown_grace = std::chrono::milliseconds(2000);
    ManagerDeps deps;
    deps.store = vm_store_override_ ? vm_store_override_ : &store_->vms();
    deps.hypervisor = flaky_.get();
    observe::LogOptions log_options;
    log_options.sink = sink_;
    deps.logger = observe::Logger(log_options);
    metrics_ = std::make_unique<observe::Registry>();
    deps.metrics = metrics_.get();
    auto manager = NewVmManager(deps, options);
    ASSERT_TRUE(manager.ok()) << manager.status().ToString();
    manager_ = std::move(manager).value();
  }

  // A unique name: test:///default is shared by every test of this process.
  std::string Name(std::string_view suffix = "") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("mgr-") + info->name() + std::string(suffix);
  }

  VmSpec Spec(std::string name, int vcpus = 1, uint64_t memory_mib = 64) {
    VmSpec spec;
    spec.name = std::move(name);
    spec.vcpus = vcpus;
    spec.memory_mib = memory_mib;
    DiskSpec disk;
    disk.size_mib = 16;
    spec.disks.push_back(disk);
    spec.labels["tier"] = "web";
    return spec;
  }

  // The VM once the manager has no work left (events still in the decorator may follow).
  Vm Settled(const std::string& id) {
    DrainVmManager(*manager_);
    auto vm = manager_->Get(id);
    EXPECT_TRUE(vm.ok()) << vm.status().ToString();
    return vm.ok() ? *vm : Vm{};
  }

  // Every event delivered and every job the manager has finished, twice over (a job can make
  // events, a delivered event makes a job).
  void Quiesce() {
    for (int i = 0; i < 2; ++i) {
      flaky_->Flush();
      DrainVmManager(*manager_);
    }
  }

  bool OnHypervisor(const std::string& id) { return real_->GetDomain(id).ok(); }

  // Waits (up to 30 s) for something that happens on another thread, such as libvirt's event
  // loop handing over an event; false if it never did. A bound, not a measurement.
  template <typename Predicate>
  static bool WaitFor(Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  store::testing::TempDir dir_;
  std::shared_ptr<observe::CapturingSink> sink_ = std::make_shared<observe::CapturingSink>();
  std::unique_ptr<observe::Registry> metrics_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<Hypervisor> real_;
  std::unique_ptr<PerturbingHypervisor> flaky_;  // between the manager and the real driver
  store::VmStore* vm_store_override_ = nullptr;  // the manager's store when set (a decorator)
  std::unique_ptr<VmManager> manager_;
};

}  // namespace novacron::vm::testing
