// The VM manager on real parts: SQLite state store in a temp dir, libvirt's test:///default
// driver, real qemu-img. A decorator (testing::PerturbingHypervisor) injects driver failures
// where a test needs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "vm/testing/manager_fixture.h"
#include "vm/vm_record.h"

namespace novacron::vm {
namespace {

using VmManagerTest = testing::ManagerFixture;

TEST_F(VmManagerTest, CreateDefinesTheDomainAndRecordsIt) {
  auto vm = manager_->Create(Spec(Name()), false);
  ASSERT_TRUE(vm.ok()) << vm.status().ToString();
  EXPECT_EQ(vm->state, VmState::kDefined);
  EXPECT_EQ(vm->version, 1);
  EXPECT_EQ(vm->id.size(), 36u);
  EXPECT_TRUE(OnHypervisor(vm->id));
  auto by_name = manager_->Get(Name());
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, vm->id);
  EXPECT_EQ(by_name->spec.labels.at("tier"), "web");
}

TEST_F(VmManagerTest, DuplicateNameIsRefusedAndDefinesNothing) {
  ASSERT_TRUE(manager_->Create(Spec(Name()), false).ok());
  auto again = manager_->Create(Spec(Name()), false);
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->vms().ListAll()->size(), 1u);
}

TEST_F(VmManagerTest, InvalidSpecIsRefusedWithTheField) {
  VmSpec spec = Spec(Name());
  spec.vcpus = 0;
  auto vm = manager_->Create(spec, false);
  EXPECT_EQ(vm.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(vm.status().message().find("vcpus"), std::string::npos);
}

TEST_F(VmManagerTest, AdmissionRefusesWhatDoesNotFitAndDefinesNothing) {
  auto node = manager_->Node();
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  const uint64_t host_mib = node->inventory.memory_mib;
  ASSERT_GT(host_mib, 0u);
  // Memory is not overcommitted by default: just over the host's memory does not fit.
  VmSpec too_big = Spec(Name("-big"), 1, host_mib + 1);
  auto refused = manager_->Create(too_big, false);
  ASSERT_EQ(refused.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("MiB of memory"), std::string::npos);
  EXPECT_TRUE(store_->vms().ListAll()->empty());

  // Two VMs of 60% each: the first fits, the second does not.
  ASSERT_TRUE(manager_->Create(Spec(Name("-a"), 1, host_mib * 6 / 10), false).ok());
  auto second = manager_->Create(Spec(Name("-b"), 1, host_mib * 6 / 10), false);
  EXPECT_EQ(second.status().code(), ErrorCode::kResourceExhausted);

  // vCPUs: cpus x 4 by default.
  int limit = node->capacity.vcpus_limit();
  auto cpus = manager_->Create(Spec(Name("-cpu"), limit + 1, 64), false);
  EXPECT_EQ(cpus.status().code(), ErrorCode::kResourceExhausted);
}

TEST_F(VmManagerTest, OvercommitRatiosAreConfigurable) {
  auto node = manager_->Node();
  ASSERT_TRUE(node.ok());
  ManagerOptions options;
  options.memory_overcommit = 2.0;
  OpenManager(options);
  auto vm = manager_->Create(Spec(Name(), 1, node->inventory.memory_mib * 3 / 2), false);
  EXPECT_TRUE(vm.ok()) << vm.status().ToString();
}

TEST_F(VmManagerTest, StartStopShutdownRebootDelete) {
  auto vm = manager_->Create(Spec(Name()), false);
  ASSERT_TRUE(vm.ok());
  auto started = manager_->Start(vm->id, std::nullopt);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->state, VmState::kStarting);
  EXPECT_EQ(Settled(vm->id).state, VmState::kRunning);
  EXPECT_EQ(real_->GetDomain(vm->id)->power, PowerState::kRunning);

  EXPECT_EQ(manager_->Start(vm->id, std::nullopt).status().code(), ErrorCode::kConflict);
  EXPECT_TRUE(manager_->Reboot(vm->id, std::nullopt).ok());

  auto stopping = manager_->Stop(vm->id, StopMode::kGraceful, std::nullopt);
  ASSERT_TRUE(stopping.ok()) << stopping.status().ToString();
  EXPECT_EQ(stopping->state, VmState::kStopping);
  EXPECT_EQ(Settled(vm->id).state, VmState::kStopped);
  EXPECT_EQ(real_->GetDomain(vm->id)->power, PowerState::kShutOff);

  EXPECT_EQ(manager_->Reboot(vm->id, std::nullopt).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(manager_->Stop(vm->id, StopMode::kForce, std::nullopt).status().code(),
            ErrorCode::kConflict);

  ASSERT_TRUE(manager_->Start(vm->id, std::nullopt).ok());
  EXPECT_EQ(Settled(vm->id).state, VmState::kRunning);
  ASSERT_TRUE(manager_->Stop(vm->id, StopMode::kForce, std::nullopt).ok());
  EXPECT_EQ(Settled(vm->id).state, VmState::kStopped);

  ASSERT_TRUE(manager_->Delete(vm->id, std::nullopt, false).ok());
  EXPECT_EQ(manager_->Get(vm->id).status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(OnHypervisor(vm->id));
}

TEST_F(VmManagerTest, CreateWithStartRuns) {
  auto vm = manager_->Create(Spec(Name()), true);
  ASSERT_TRUE(vm.ok()) << vm.status().ToString();
  EXPECT_EQ(vm->state, VmState::kStarting);
  EXPECT_EQ(Settled(vm->id).state, VmState::kRunning);
}

TEST_F(VmManagerTest, DeletingARunningVmNeedsForce) {
  auto vm = manager_->Create(Spec(Name()), true);
  ASSERT_TRUE(vm.ok());
  Settled(vm->id);
  Status refused = manager_->Delete(vm->id, std::nullopt, false);
  EXPECT_EQ(refused.code(), ErrorCode::kConflict);
  EXPECT_NE(refused.message().find("stop it first"), std::string::npos);
  EXPECT_TRUE(OnHypervisor(vm->id));
  ASSERT_TRUE(manager_->Delete(vm->id, std::nullopt, true).ok());
  EXPECT_FALSE(OnHypervisor(vm->id));
  EXPECT_EQ(manager_->Get(vm->id).status().code(), ErrorCode::kNotFound);
}

TEST_F(VmManagerTest, StaleIfMatchIsAConflictAndChangesNothing) {
  auto vm = manager_->Create(Spec(Name()), false);
  ASSERT_TRUE(vm.ok());
  VmPatch patch;
  patch.labels = std::map<std::string, std::string>{{"tier", "db"}};
  auto updated = manager_->Update(vm->id, patch, vm->version);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->version, vm->version + 1);
  EXPECT_EQ(manager_->Start(vm->id, vm->version).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(manager_->Get(vm->id)->state, VmState::kDefined);
  EXPECT_EQ(manager_->Delete(vm->id, vm->version, false).code(), ErrorCode::kConflict);
  EXPECT_TRUE(manager_->Get(vm->id).ok());
}

TEST_F(VmManagerTest, ResizeNeedsAStoppedVmAndIsAdmitted) {
  auto vm = manager_->Create(Spec(Name()), true);
  ASSERT_TRUE(vm.ok());
  Settled(vm->id);
  VmPatch patch;
  patch.vcpus = 2;
  EXPECT_EQ(manager_->Update(vm->id, patch, std::nullopt).status().code(), ErrorCode::kConflict);
  ASSERT_TRUE(manager_->Stop(vm->id, StopMode::kForce, std::nullopt).ok());
  Settled(vm->id);
  auto resized = manager_->Update(vm->id, patch, std::nullopt);
  ASSERT_TRUE(resized.ok()) << resized.status().ToString();
  EXPECT_EQ(resized->spec.vcpus, 2);
  EXPECT_EQ(real_->GetDomain(vm->id)->vcpus, 2);
  VmPatch huge;
  huge.memory_mib = manager_->Node()->inventory.memory_mib * 2;
  EXPECT_EQ(manager_->Update(vm->id, huge, std::nullopt).status().code(),
            ErrorCode::kResourceExhausted);
}

TEST_F(VmManagerTest, FailedStartIsRecordedWithTheError) {
  auto vm = manager_->Create(Spec(Name()), false);
  ASSERT_TRUE(vm.ok());
  flaky_->fail_start = true;
  ASSERT_TRUE(manager_->Start(vm->id, std::nullopt).ok());
  Vm failed = Settled(vm->id);
  EXPECT_EQ(failed.state, VmState::kFailed);
  EXPECT_NE(failed.last_error.find("injected start failure"), std::string::npos);
  flaky_->fail_start = false;
  ASSERT_TRUE(manager_->Start(vm->id, std::nullopt).ok());
  Vm running = Settled(vm->id);
  EXPECT_EQ(running.state, VmState::kRunning);
  EXPECT_EQ(running.last_error, "");
}

TEST_F(VmManagerTest, ListFiltersByStateAndLabels) {
  auto a = manager_->Create(Spec(Name("-a")), true);
  VmSpec b_spec = Spec(Name("-b"));
  b_spec.labels["tier"] = "db";
  auto b = manager_->Create(b_spec, false);
  ASSERT_TRUE(a.ok() && b.ok());
  Settled(a->id);
  store::VmListFilter running;
  running.state = "running";
  auto list = manager_->List(running, {});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].id, a->id);
  store::VmListFilter db;
  db.labels["tier"] = "db";
  list = manager_->List(db, {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].id, b->id);
}

TEST_F(VmManagerTest, ReconcileConvergesWhatChangedBehindItsBack) {
  auto vm = manager_->Create(Spec(Name()), true);
  ASSERT_TRUE(vm.ok());
  Settled(vm->id);
  // Events lost (as while the daemon was down): the guest goes away unseen. Settles that
  // earlier events queued finish first, or one of them (not reconciliation) would notice.
  flaky_->SetEventCallback([](const std::string&, VmEvent) {});
  DrainVmManager(*manager_);
  ASSERT_TRUE(real_->Destroy(vm->id).ok());
  EXPECT_EQ(manager_->Get(vm->id)->state, VmState::kRunning);
  auto report = manager_->Reconcile();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->converged, 1);
  EXPECT_EQ(manager_->Get(vm->id)->state, VmState::kStopped);
}

TEST_F(VmManagerTest, ReconcileReportsDriftBothWays) {
  auto vm = manager_->Create(Spec(Name()), false);
  ASSERT_TRUE(vm.ok());
  ASSERT_TRUE(real_->Undefine(vm->id, true).ok());
  std::string foreign_id = NewVmId();
  ASSERT_TRUE(real_->Define(foreign_id, Spec(Name("-foreign"))).ok());

  auto report = manager_->Reconcile();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing_on_hypervisor, 1);
  EXPECT_GE(report->unknown_domains, 1);
  bool named_foreign = false;
  for (const auto& m : report->messages) {
    if (m.find(Name("-foreign")) != std::string::npos) named_foreign = true;
  }
  EXPECT_TRUE(named_foreign);
  EXPECT_EQ(manager_->Get(vm->id)->drift, "missing_on_hypervisor");
  EXPECT_NE(metrics_->Render().find("novacron_vm_drift{kind=\"missing_on_hypervisor\"} 1"),
            std::string::npos);
  ASSERT_TRUE(real_->Undefine(foreign_id, true).ok());
}

TEST_F(VmManagerTest, ReconcileSummarisesDriftInsteadOfALineEachRound) {
  constexpr int kVms = 25;
  for (int i = 0; i < kVms; ++i) {
    auto vm = manager_->Create(Spec(Name("-" + std::to_string(i))), false);
    ASSERT_TRUE(vm.ok()) << vm.status().ToString();
    ASSERT_TRUE(real_->Undefine(vm->id, true).ok());
  }
  auto count_warnings = [&] {
    int n = 0;
    for (const std::string& line : sink_->Lines()) {
      n += line.find("\"msg\":\"reconcile\"") != std::string::npos ? 1 : 0;
    }
    return n;
  };
  auto missing_messages = [](const ReconcileReport& report) {
    return std::count_if(report.messages.begin(), report.messages.end(), [](const auto& m) {
      return m.find("is recorded but has no domain") != std::string::npos;
    });
  };
  auto first = manager_->Reconcile();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->missing_on_hypervisor, kVms);
  EXPECT_EQ(missing_messages(*first), kVms);  // each is news once
  EXPECT_EQ(count_warnings(), 11);            // ten changes and "N more changes not logged"
  // The next round: still counted, nothing new to say about them.
  auto second = manager_->Reconcile();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->missing_on_hypervisor, kVms);
  EXPECT_EQ(missing_messages(*second), 0);
  // (test:///default's own "test" domain is an unknown domain, reported each round.)
  EXPECT_EQ(count_warnings(), 11 + static_cast<int>(second->messages.size()));
  EXPECT_NE(metrics_->Render().find("novacron_vm_drift{kind=\"missing_on_hypervisor\"} 25"),
            std::string::npos);
}

TEST_F(VmManagerTest, SurvivesANewManagerAndFinishesADelete) {
  auto keep = manager_->Create(Spec(Name("-keep")), true);
  auto gone = manager_->Create(Spec(Name("-gone")), false);
  ASSERT_TRUE(keep.ok() && gone.ok());
  Settled(keep->id);
  // A delete that recorded "deleting" and then lost its process.
  auto record = store_->vms().Get(gone->id);
  ASSERT_TRUE(record.ok());
  record->state = "deleting";
  ASSERT_TRUE(store_->vms().Update(*record, record->version).ok());

  OpenManager();
  auto report = manager_->Reconcile();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(manager_->Get(keep->id)->state, VmState::kRunning);
  EXPECT_EQ(manager_->Get(gone->id).status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(OnHypervisor(gone->id));
}

TEST_F(VmManagerTest, GenerationMovesOnEveryWriteAndOnlyThen) {
  uint64_t g0 = manager_->generation();
  auto vm = manager_->Create(Spec(Name()), false);
  ASSERT_TRUE(vm.ok());
  uint64_t g1 = manager_->generation();
  EXPECT_GT(g1, g0);
  ASSERT_TRUE(manager_->Get(vm->id).ok());
  ASSERT_TRUE(manager_->List({}, {}).ok());
  EXPECT_EQ(manager_->generation(), g1);
  VmPatch patch;
  patch.labels = std::map<std::string, std::string>{{"tier", "db"}};
  ASSERT_TRUE(manager_->Update(vm->id, patch, std::nullopt).ok());
  uint64_t g2 = manager_->generation();
  EXPECT_GT(g2, g1);
  ASSERT_TRUE(manager_->Delete(vm->id, std::nullopt, false).ok());
  EXPECT_GT(manager_->generation(), g2);
}

TEST(AdmitTest, MessagesSayWhatIsFree) {
  Capacity c;
  c.cpus = 4;
  c.memory_mib = 1000;
  c.cpu_overcommit = 2.0;
  c.memory_overcommit = 1.0;
  c.vcpus_allocated = 6;
  c.memory_mib_allocated = 900;
  EXPECT_TRUE(Admit(c, "a", 2, 100).ok());
  Status cpu = Admit(c, "web1", 3, 10);
  EXPECT_EQ(cpu.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(cpu.message(),
            "vm 'web1' does not fit this node: it asks 3 vCPUs, 2 of 8 are free (4 CPUs x 2.00 "
            "overcommit, 6 allocated)");
  EXPECT_EQ(Admit(c, "web1", 1, 101).code(), ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace novacron::vm
