// Test harness: the API v1 routes over the real VM stack (SQLite state store in a temp dir,
// libvirt's test:///default driver, vm::NewVmManager) behind a real HttpServer on port 0.
//
// test:///default is one in-memory hypervisor shared by the whole test process: VM names carry
// the test's name, and TearDown deletes every VM the test's store still holds.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "api/api_test_server.h"
#include "api/api_v1.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"
#include "vm/hypervisor.h"
#include "vm/manager_impl.h"

namespace novacron::api::testing {

// The store, the driver and the manager, owned together and torn down in order.
class RealVmStack {
 public:
  RealVmStack() = default;
  RealVmStack(const RealVmStack&) = delete;
  RealVmStack& operator=(const RealVmStack&) = delete;
  ~RealVmStack() { Close(); }

  // `tweak` may change the driver options (qemu-img, its timeout) before the driver opens.
  Status Open(const std::function<void(vm::DriverOptions&)>& tweak = {}) {
    store::SqliteStoreOptions store_options;
    store_options.data_dir = dir_.path() / "data";
    NOVACRON_ASSIGN_OR_RETURN(state_, store::OpenSqliteStateStore(store_options));
    vm::DriverOptions driver;
    driver.uri = "test:///default";
    driver.domain_type = "qemu";
    driver.disk_dir = disks_dir();
    driver.image_dirs = {images_dir()};  // vm.image_dirs: base images, kernels, initrds
    std::error_code ec;
    std::filesystem::create_directories(images_dir(), ec);
    if (ec) return Internal("create " + images_dir() + ": " + ec.message());
    if (tweak) tweak(driver);
    NOVACRON_ASSIGN_OR_RETURN(hypervisor_, vm::OpenLibvirtHypervisor(driver));
    vm::ManagerDeps deps;
    deps.store = &state_->vms();
    deps.hypervisor = hypervisor_.get();
    deps.logger = observe::Logger::Discard();
    vm::ManagerOptions options;
    options.shutdown_grace = std::chrono::milliseconds(2000);
    NOVACRON_ASSIGN_OR_RETURN(manager_, vm::NewVmManager(deps, options));
    return Status::Ok();
  }

  // Waits for background work, then removes every VM this stack created from the shared driver.
  void Close() {
    if (manager_) {
      vm::DrainVmManager(*manager_);
      auto records = state_->vms().ListAll();
      if (records.ok()) {
        for (const store::VmRecord& r : *records) {
          Status deleted = manager_->Delete(r.id, std::nullopt, /*force=*/true);
          EXPECT_TRUE(deleted.ok()) << r.name << ": " << deleted.ToString();
        }
      }
      vm::DrainVmManager(*manager_);
    }
    manager_.reset();
    hypervisor_.reset();
    state_.reset();
  }

  vm::VmManager& manager() { return *manager_; }
  store::StateStore& state() { return *state_; }
  std::string images_dir() const { return (dir_.path() / "images").string(); }
  std::string disks_dir() const { return (dir_.path() / "disks").string(); }
  std::filesystem::path root() const { return dir_.path(); }

 private:
  store::testing::TempDir dir_;
  std::unique_ptr<store::StateStore> state_;
  std::unique_ptr<vm::Hypervisor> hypervisor_;
  std::unique_ptr<vm::VmManager> manager_;
};

// Forwards to a real manager; counts the calls that may change something and, when told to,
// fails every call with `fail_with` (fault injection: a store or driver that is down).
class FaultInjectingVmManager final : public vm::VmManager {
 public:
  explicit FaultInjectingVmManager(vm::VmManager& real) : real_(real) {}

  std::atomic<int> mutating_calls{0};  // Create/Update/Start/Stop/Reboot/Delete

  void FailWith(Status status) {
    std::lock_guard lock(mu_);
    fail_with_ = std::move(status);
  }
  void Heal() {
    std::lock_guard lock(mu_);
    fail_with_.reset();
  }

  Result<vm::Vm> Create(const vm::VmSpec& spec, bool start) override {
    ++mutating_calls;
    if (auto fault = Fault()) return *fault;
    return real_.Create(spec, start);
  }
  Result<vm::Vm> Get(const std::string& ref) override {
    if (auto fault = Fault()) return *fault;
    return real_.Get(ref);
  }
  Result<vm::VmList> List(const store::VmListFilter& filter,
                          const store::VmPageRequest& page) override {
    if (auto fault = Fault()) return *fault;
    return real_.List(filter, page);
  }
  Result<vm::Vm> Update(const std::string& ref, const vm::VmPatch& patch,
                        std::optional<int64_t> if_match) override {
    ++mutating_calls;
    if (auto fault = Fault()) return *fault;
    return real_.Update(ref, patch, if_match);
  }
  Result<vm::Vm> Start(const std::string& ref, std::optional<int64_t> if_match) override {
    ++mutating_calls;
    if (auto fault = Fault()) return *fault;
    return real_.Start(ref, if_match);
  }
  Result<vm::Vm> Stop(const std::string& ref, vm::StopMode mode,
                      std::optional<int64_t> if_match) override {
    ++mutating_calls;
    if (auto fault = Fault()) return *fault;
    return real_.Stop(ref, mode, if_match);
  }
  Result<vm::Vm> Reboot(const std::string& ref, std::optional<int64_t> if_match) override {
    ++mutating_calls;
    if (auto fault = Fault()) return *fault;
    return real_.Reboot(ref, if_match);
  }
  Status Delete(const std::string& ref, std::optional<int64_t> if_match, bool force) override {
    ++mutating_calls;
    if (auto fault = Fault()) return *fault;
    return real_.Delete(ref, if_match, force);
  }
  Result<vm::NodeView> Node() override {
    if (auto fault = Fault()) return *fault;
    return real_.Node();
  }
  Result<std::vector<vm::DomainStatus>> Domains() override {
    if (auto fault = Fault()) return *fault;
    return real_.Domains();
  }
  Result<vm::ReconcileReport> Reconcile() override {
    if (auto fault = Fault()) return *fault;
    return real_.Reconcile();
  }
  uint64_t generation() const override { return real_.generation(); }

 private:
  std::optional<Status> Fault() {
    std::lock_guard lock(mu_);
    return fail_with_;
  }

  vm::VmManager& real_;
  std::mutex mu_;
  std::optional<Status> fail_with_;
};

// The routes on the real stack. Subclasses that need fault injection or call counting override
// ServedManager() to put a FaultInjectingVmManager in front of it.
class ApiOnRealStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status opened = stack_.Open([this](vm::DriverOptions& driver) { TweakDriver(driver); });
    ASSERT_TRUE(opened.ok()) << opened.ToString();
    faults_ = std::make_unique<FaultInjectingVmManager>(stack_.manager());
    server_ = std::make_unique<ApiServer>(ApiV1Deps{.manager = ServedManager(),
                                                    .idempotency = &stack_.state().vms(),
                                                    .log = observe::Logger::Discard(),
                                                    .authenticate = {}});
  }

  void TearDown() override {
    server_.reset();  // no handler runs once the manager goes
    faults_.reset();
    stack_.Close();
  }

  virtual vm::VmManager* ServedManager() { return &stack_.manager(); }
  // Changes the driver options before the stack opens (e.g. a fake qemu-img).
  virtual void TweakDriver(vm::DriverOptions& driver) { (void)driver; }

  // A VM name unique to this test: the hypervisor outlives it.
  static std::string Name(std::string_view suffix) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return "api-" + std::string(info->name()).substr(0, 40) + "-" + std::string(suffix);
  }

  http::ClientResponse Call(std::string method, std::string target, std::string body = "",
                            http::Headers headers = {}) {
    return server_->Call(std::move(method), std::move(target), std::move(body), std::move(headers));
  }

  // POST /api/v1/vms for a small VM without disks.
  http::ClientResponse Create(const std::string& name, const std::string& query = "") {
    return Call("POST", "/api/v1/vms" + query,
                nlohmann::json{{"name", name}, {"vcpus", 1}, {"memory_mib", 64}}.dump());
  }

  // Polls GET until the VM is in `state` (actions finish in the background), for at most 10 s;
  // returns the last body seen.
  nlohmann::json AwaitState(const std::string& name, std::string_view state) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    nlohmann::json vm;
    while (true) {
      http::ClientResponse r = Call("GET", "/api/v1/vms/" + name);
      vm = Body(r);
      if (r.status == 200 && vm.value("state", "") == state) return vm;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << name << " did not become " << state << ": " << r.status << " " << r.body;
        return vm;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  RealVmStack stack_;
  std::unique_ptr<FaultInjectingVmManager> faults_;
  std::unique_ptr<ApiServer> server_;
};

// The same routes with the fault-injecting, call-counting decorator in front of the manager.
class ApiWithFaultsTest : public ApiOnRealStackTest {
 protected:
  vm::VmManager* ServedManager() override { return faults_.get(); }
};

}  // namespace novacron::api::testing
