// The libvirt driver against libvirt's test:///default driver (in-process, shared by all
// connections of this process) with real qemu-img disks in a temp dir.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "vm/disk_images.h"
#include "vm/hypervisor.h"
#include "vm/libvirt_test_support.h"

namespace novacron::vm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::NewUuid;
using ::testing::StartsWith;
using testing::TempDir;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr auto kEventTimeout = std::chrono::seconds(30);  // generous: only bounds a hang

// Collects the events of one driver; tests wait on it instead of sleeping.
class EventRecorder {
 public:
  DomainEventCallback Callback() {
    return [this](const std::string& uuid, VmEvent event) {
      std::lock_guard lock(mutex_);
      events_.emplace_back(uuid, event);
      cv_.notify_all();
    };
  }
  bool WaitFor(const std::string& uuid, VmEvent event) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kEventTimeout, [&] { return Count(uuid, event) > 0; });
  }
  size_t CountOf(const std::string& uuid, VmEvent event) {
    std::lock_guard lock(mutex_);
    return Count(uuid, event);
  }
  size_t Total() {
    std::lock_guard lock(mutex_);
    return events_.size();
  }

 private:
  size_t Count(const std::string& uuid, VmEvent event) const {
    return static_cast<size_t>(std::count(events_.begin(), events_.end(), std::pair(uuid, event)));
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, VmEvent>> events_;
};

class LibvirtHypervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    options_.uri = "test:///default";
    options_.domain_type = "kvm";
    options_.disk_dir = tmp_.path() + "/vms";
    options_.image_dirs = {tmp_.path()};  // holds the disk dir too: its files stay refused
    base_ = tmp_.path() + "/base.qcow2";
    Result<ProgramOutput> made =
        RunProgram({"qemu-img", "create", "-q", "-f", "qcow2", base_, "32M"});
    if (!made.ok()) GTEST_SKIP() << "qemu-img not available: " << made.status().message();
    ASSERT_EQ(made->exit_code, 0) << made->err;
    Result<std::unique_ptr<Hypervisor>> opened = OpenLibvirtHypervisor(options_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    driver_ = std::move(opened).value();
    driver_->SetEventCallback(events_.Callback());
  }

  // A spec with a unique name: the test driver's domains are shared by the whole process.
  VmSpec Spec(std::vector<DiskSpec> disks = {}) {
    static int counter = 0;
    VmSpec spec;
    spec.name = "nc-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
    spec.vcpus = 2;
    spec.memory_mib = 256;
    spec.disks = std::move(disks);
    return spec;
  }
  DiskSpec Blank(uint64_t mib) { return DiskSpec{.base_image = "", .size_mib = mib, .target = ""}; }
  DiskSpec Overlay(std::string base) {
    return DiskSpec{.base_image = std::move(base), .size_mib = std::nullopt, .target = ""};
  }

  std::string Define(const VmSpec& spec) {
    std::string uuid = NewUuid();
    Status defined = driver_->Define(uuid, spec);
    EXPECT_TRUE(defined.ok()) << defined.ToString();
    return uuid;
  }

  std::optional<DomainStatus> Listed(const std::string& uuid) {
    Result<std::vector<DomainStatus>> domains = driver_->ListDomains();
    EXPECT_TRUE(domains.ok()) << domains.status().ToString();
    if (!domains.ok()) return std::nullopt;
    for (const DomainStatus& d : *domains) {
      if (d.uuid == uuid) return d;
    }
    return std::nullopt;
  }

  PowerState Power(const std::string& uuid) {
    Result<DomainStatus> domain = driver_->GetDomain(uuid);
    EXPECT_TRUE(domain.ok()) << domain.status().ToString();
    return domain.ok() ? domain->power : PowerState::kOther;
  }

  std::string VmDir(const std::string& uuid) { return options_.disk_dir + "/" + uuid; }

  TempDir tmp_;
  DriverOptions options_;
  std::string base_;
  EventRecorder events_;
  std::unique_ptr<Hypervisor> driver_;
};

TEST_F(LibvirtHypervisorTest, InventoryDescribesTheHost) {
  Result<NodeInventory> inventory = driver_->Inventory();
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();
  EXPECT_GT(inventory->cpus, 0);
  EXPECT_GT(inventory->memory_mib, 0u);
  EXPECT_FALSE(inventory->hostname.empty());
  EXPECT_THAT(inventory->hypervisor, StartsWith("TEST "));
  EXPECT_EQ(driver_->uri(), "test:///default");
}

TEST_F(LibvirtHypervisorTest, DefinedDomainIsListedShutOff) {
  VmSpec spec = Spec({Blank(16)});
  std::string uuid = Define(spec);
  std::optional<DomainStatus> listed = Listed(uuid);
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->name, spec.name);
  EXPECT_EQ(listed->power, PowerState::kShutOff);
  EXPECT_EQ(listed->vcpus, 2);
  EXPECT_EQ(listed->memory_mib, 256u);

  Result<DomainStatus> got = driver_->GetDomain(uuid);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->name, spec.name);
  EXPECT_EQ(got->power, PowerState::kShutOff);
  EXPECT_TRUE(fs::is_regular_file(VmDir(uuid) + "/disk0.qcow2"));
}

TEST_F(LibvirtHypervisorTest, ListIncludesDomainsThatAreNotOurs) {
  Result<std::vector<DomainStatus>> domains = driver_->ListDomains();
  ASSERT_TRUE(domains.ok()) << domains.status().ToString();
  // The test driver always has a running domain called "test".
  auto test = std::find_if(domains->begin(), domains->end(),
                           [](const DomainStatus& d) { return d.name == "test"; });
  ASSERT_NE(test, domains->end());
  EXPECT_EQ(test->power, PowerState::kRunning);
}

TEST_F(LibvirtHypervisorTest, StartAndStopDeliverEvents) {
  std::string uuid = Define(Spec({Blank(8)}));
  ASSERT_TRUE(driver_->Start(uuid).ok());
  EXPECT_EQ(Power(uuid), PowerState::kRunning);
  EXPECT_TRUE(events_.WaitFor(uuid, VmEvent::kStarted));

  Status stopped = driver_->Stop(uuid, std::chrono::seconds(5));
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_EQ(Power(uuid), PowerState::kShutOff);
  EXPECT_TRUE(events_.WaitFor(uuid, VmEvent::kStopped));

  EXPECT_TRUE(driver_->Stop(uuid, std::chrono::seconds(5)).ok()) << "already shut off";
  Status started_twice = driver_->Start(uuid);
  ASSERT_TRUE(started_twice.ok()) << started_twice.ToString();
  EXPECT_EQ(driver_->Start(uuid).code(), ErrorCode::kFailedPrecondition) << "already running";
}

TEST_F(LibvirtHypervisorTest, StopWithoutGraceForcesOff) {
  std::string uuid = Define(Spec());
  ASSERT_TRUE(driver_->Start(uuid).ok());
  Status stopped = driver_->Stop(uuid, std::chrono::milliseconds(0));
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_EQ(Power(uuid), PowerState::kShutOff);
}

TEST_F(LibvirtHypervisorTest, PausedDomainIsReportedAndCanBeStopped) {
  std::string uuid = Define(Spec());
  ASSERT_TRUE(driver_->Start(uuid).ok());
  // Pausing is not part of the Hypervisor interface; do it as an administrator would.
  virConnectPtr admin = virConnectOpen("test:///default");
  ASSERT_NE(admin, nullptr);
  virDomainPtr domain = virDomainLookupByUUIDString(admin, uuid.c_str());
  ASSERT_NE(domain, nullptr);
  EXPECT_EQ(virDomainSuspend(domain), 0);
  virDomainFree(domain);
  virConnectClose(admin);

  EXPECT_EQ(Power(uuid), PowerState::kPaused);
  Status stopped = driver_->Stop(uuid, std::chrono::milliseconds(200));
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_EQ(Power(uuid), PowerState::kShutOff);
}

TEST_F(LibvirtHypervisorTest, DestroyPowersOffAndIsIdempotent) {
  std::string uuid = Define(Spec());
  ASSERT_TRUE(driver_->Start(uuid).ok());
  ASSERT_TRUE(events_.WaitFor(uuid, VmEvent::kStarted));
  Status destroyed = driver_->Destroy(uuid);
  ASSERT_TRUE(destroyed.ok()) << destroyed.ToString();
  EXPECT_EQ(Power(uuid), PowerState::kShutOff);
  EXPECT_TRUE(events_.WaitFor(uuid, VmEvent::kStopped));
  EXPECT_TRUE(driver_->Destroy(uuid).ok()) << "not running is fine";
}

TEST_F(LibvirtHypervisorTest, RebootNeedsARunningDomain) {
  std::string uuid = Define(Spec());
  Status stopped_reboot = driver_->Reboot(uuid);
  EXPECT_EQ(stopped_reboot.code(), ErrorCode::kFailedPrecondition) << stopped_reboot.ToString();
  ASSERT_TRUE(driver_->Start(uuid).ok());
  Status rebooted = driver_->Reboot(uuid);
  EXPECT_TRUE(rebooted.ok()) << rebooted.ToString();
  EXPECT_EQ(Power(uuid), PowerState::kRunning);
}

TEST_F(LibvirtHypervisorTest, UndefineRemovesTheDomainAndItsDisks) {
  std::string uuid = Define(Spec({Overlay(base_), Blank(8)}));
  ASSERT_TRUE(fs::exists(VmDir(uuid)));
  ASSERT_TRUE(driver_->Start(uuid).ok());
  Status running = driver_->Undefine(uuid, true);
  EXPECT_EQ(running.code(), ErrorCode::kFailedPrecondition) << running.ToString();
  EXPECT_TRUE(fs::exists(VmDir(uuid))) << "a refused undefine keeps the disks";
  ASSERT_TRUE(driver_->Destroy(uuid).ok());

  Status undefined = driver_->Undefine(uuid, true);
  ASSERT_TRUE(undefined.ok()) << undefined.ToString();
  EXPECT_EQ(driver_->GetDomain(uuid).status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(Listed(uuid).has_value());
  EXPECT_FALSE(fs::exists(VmDir(uuid)));
  EXPECT_TRUE(fs::exists(base_)) << "the base image is not ours";
}

TEST_F(LibvirtHypervisorTest, UndefineCanKeepTheDisks) {
  std::string uuid = Define(Spec({Blank(8)}));
  ASSERT_TRUE(driver_->Undefine(uuid, false).ok());
  EXPECT_EQ(driver_->GetDomain(uuid).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(fs::is_regular_file(VmDir(uuid) + "/disk0.qcow2"));
}

TEST_F(LibvirtHypervisorTest, OverlayAndBlankDisksAreRealQcow2) {
  std::string uuid = Define(Spec({Overlay(base_), Blank(40)}));
  DiskImages images(options_.disk_dir, "qemu-img");
  Result<DiskImageInfo> overlay = images.Inspect(VmDir(uuid) + "/disk0.qcow2");
  ASSERT_TRUE(overlay.ok()) << overlay.status().ToString();
  EXPECT_EQ(overlay->format, "qcow2");
  EXPECT_EQ(overlay->backing_file, base_);
  Result<DiskImageInfo> blank = images.Inspect(VmDir(uuid) + "/disk1.qcow2");
  ASSERT_TRUE(blank.ok()) << blank.status().ToString();
  EXPECT_EQ(blank->format, "qcow2");
  EXPECT_EQ(blank->virtual_size, 40 * kMiB);
}

TEST_F(LibvirtHypervisorTest, MissingBaseImageFailsAndLeavesNothing) {
  VmSpec spec = Spec({Blank(8), Overlay(tmp_.path() + "/no-such-base.qcow2")});
  std::string uuid = NewUuid();
  Status defined = driver_->Define(uuid, spec);
  EXPECT_EQ(defined.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(defined.message(),
            "vm spec: disks[1].base_image: " + tmp_.path() + "/no-such-base.qcow2: no such file");
  EXPECT_FALSE(fs::exists(VmDir(uuid)));
  EXPECT_EQ(driver_->GetDomain(uuid).status().code(), ErrorCode::kNotFound);
}

TEST_F(LibvirtHypervisorTest, QemuImgFailureLeavesNothing) {
  // qemu-img inspects the base fine, then fails to create the overlay.
  std::string fake = tmp_.path() + "/failing-qemu-img";
  std::ofstream(fake) << "#!/bin/sh\n[ \"$1\" = info ] && exec qemu-img \"$@\"\n"
                      << "echo 'no space left' >&2\nexit 1\n";
  fs::permissions(fake, fs::perms::owner_all);
  DriverOptions options = options_;
  options.qemu_img = fake;
  Result<std::unique_ptr<Hypervisor>> driver = OpenLibvirtHypervisor(options);
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  std::string uuid = NewUuid();
  Status defined = (*driver)->Define(uuid, Spec({Blank(8), Overlay(base_)}));
  EXPECT_FALSE(defined.ok());
  EXPECT_THAT(defined.ToString(), HasSubstr("create failed"));
  EXPECT_THAT(defined.ToString(), HasSubstr("no space left"));
  EXPECT_FALSE(fs::exists(VmDir(uuid)));
  EXPECT_EQ(driver_->GetDomain(uuid).status().code(), ErrorCode::kNotFound);
}

TEST_F(LibvirtHypervisorTest, RefusedHostPathsCreateNothing) {
  std::string other = Define(Spec({Blank(8)}));
  for (std::string path : {std::string("/etc/shadow"), std::string("/proc/self/environ"),
                           std::string("/dev/null"), VmDir(other) + "/disk0.qcow2"}) {
    std::string uuid = NewUuid();
    Status defined = driver_->Define(uuid, Spec({Overlay(path)}));
    EXPECT_EQ(defined.code(), ErrorCode::kInvalidArgument) << path;
    EXPECT_THAT(defined.message(), HasSubstr("disks[0].base_image: " + path)) << path;
    EXPECT_FALSE(fs::exists(VmDir(uuid))) << path;
  }
}

// Prepare does the slow part, Define uses it; Unprepare drops disks of a VM never defined.
TEST_F(LibvirtHypervisorTest, PrepareThenDefineOrUnprepare) {
  VmSpec spec = Spec({Overlay(base_)});
  spec.serial_log = true;
  std::string uuid = NewUuid();
  ASSERT_TRUE(driver_->Prepare(uuid, spec).ok());
  EXPECT_TRUE(fs::is_regular_file(VmDir(uuid) + "/disk0.qcow2"));
  EXPECT_EQ(driver_->GetDomain(uuid).status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(driver_->Define(uuid, spec).ok());
  EXPECT_TRUE(driver_->Unprepare(uuid).ok()) << "defined: nothing left to unprepare";
  EXPECT_TRUE(fs::is_regular_file(VmDir(uuid) + "/disk0.qcow2"));

  std::string dropped = NewUuid();
  ASSERT_TRUE(driver_->Prepare(dropped, Spec({Blank(8)})).ok());
  ASSERT_TRUE(driver_->Unprepare(dropped).ok());
  EXPECT_FALSE(fs::exists(VmDir(dropped)));
}

TEST_F(LibvirtHypervisorTest, DuplicateUuidOrNameIsAlreadyExists) {
  VmSpec spec = Spec({Blank(8)});
  std::string uuid = Define(spec);
  // libvirt would silently replace the definition of an existing uuid.
  Status same_uuid = driver_->Define(uuid, Spec({Blank(16)}));
  EXPECT_EQ(same_uuid.code(), ErrorCode::kAlreadyExists) << same_uuid.ToString();
  std::string other = NewUuid();
  Status same_name = driver_->Define(other, spec);
  EXPECT_EQ(same_name.code(), ErrorCode::kAlreadyExists) << same_name.ToString();
  EXPECT_THAT(same_name.message(), HasSubstr(uuid));
  EXPECT_FALSE(fs::exists(VmDir(other)));
  // The original definition and disk are untouched.
  EXPECT_EQ(driver_->GetDomain(uuid)->name, spec.name);
  DiskImages images(options_.disk_dir, "qemu-img");
  EXPECT_EQ(images.Inspect(VmDir(uuid) + "/disk0.qcow2")->virtual_size, 8 * kMiB);
}

TEST_F(LibvirtHypervisorTest, HostileNameIsRejected) {
  for (std::string name : {"a'b", "x\"><devices/>", "a&b", "../etc", "with space"}) {
    VmSpec spec = Spec({Blank(8)});
    spec.name = name;
    std::string uuid = NewUuid();
    Status defined = driver_->Define(uuid, spec);
    EXPECT_EQ(defined.code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_THAT(defined.message(), HasSubstr("name")) << name;
    EXPECT_FALSE(fs::exists(VmDir(uuid))) << name;
    EXPECT_EQ(driver_->GetDomain(uuid).status().code(), ErrorCode::kNotFound) << name;
  }
}

TEST_F(LibvirtHypervisorTest, DotDotPathsAreRefusedBeforeQemuImgRuns) {
  // A qemu-img stand-in that leaves a marker: it must never run.
  std::string marker = tmp_.path() + "/qemu-img-ran";
  std::string fake = tmp_.path() + "/fake-qemu-img";
  std::ofstream(fake) << "#!/bin/sh\ntouch '" << marker << "'\nexit 1\n";
  fs::permissions(fake, fs::perms::owner_all);
  DriverOptions options = options_;
  options.qemu_img = fake;
  Result<std::unique_ptr<Hypervisor>> driver = OpenLibvirtHypervisor(options);
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();

  std::string uuid = NewUuid();
  Status defined = (*driver)->Define(uuid, Spec({Overlay(tmp_.path() + "/../etc/base.qcow2")}));
  EXPECT_EQ(defined.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(defined.message(), HasSubstr("disks[0].base_image"));
  EXPECT_THAT(defined.message(), HasSubstr(".."));
  EXPECT_EQ((*driver)->Define("../../etc", Spec({Blank(8)})).code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_FALSE(fs::exists(VmDir(uuid)));
}

TEST_F(LibvirtHypervisorTest, UnknownUuidIsNotFound) {
  std::string uuid = NewUuid();
  EXPECT_EQ(driver_->GetDomain(uuid).status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(driver_->GetDomain(uuid).status().message(), HasSubstr(uuid));
  EXPECT_EQ(driver_->Start(uuid).code(), ErrorCode::kNotFound);
  EXPECT_EQ(driver_->Stop(uuid, std::chrono::seconds(1)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(driver_->Destroy(uuid).code(), ErrorCode::kNotFound);
  EXPECT_EQ(driver_->Reboot(uuid).code(), ErrorCode::kNotFound);
  EXPECT_EQ(driver_->Undefine(uuid, true).code(), ErrorCode::kNotFound);
  EXPECT_EQ(driver_->GetDomain("not-a-uuid").status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LibvirtHypervisorTest, QemuDomainTypeWorksToo) {
  // The test driver takes "qemu" (TCG) XML as well as "kvm": no substitution is needed.
  DriverOptions options = options_;
  options.domain_type = "qemu";
  Result<std::unique_ptr<Hypervisor>> driver = OpenLibvirtHypervisor(options);
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  std::string uuid = NewUuid();
  Status defined = (*driver)->Define(uuid, Spec({Blank(8)}));
  ASSERT_TRUE(defined.ok()) << defined.ToString();
  EXPECT_TRUE((*driver)->Start(uuid).ok());
  EXPECT_EQ((*driver)->GetDomain(uuid)->power, PowerState::kRunning);
}

TEST_F(LibvirtHypervisorTest, BadUriIsUnavailableNamingTheUri) {
  DriverOptions options = options_;
  options.uri = "bogus:///novacron";
  Result<std::unique_ptr<Hypervisor>> driver = OpenLibvirtHypervisor(options);
  ASSERT_FALSE(driver.ok());
  EXPECT_EQ(driver.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(driver.status().message(), HasSubstr("bogus:///novacron"));
}

TEST_F(LibvirtHypervisorTest, BadOptionsAreInvalidArgument) {
  DriverOptions relative = options_;
  relative.disk_dir = "vms";
  EXPECT_EQ(OpenLibvirtHypervisor(relative).status().code(), ErrorCode::kInvalidArgument);
  DriverOptions xen = options_;
  xen.domain_type = "xen";
  EXPECT_EQ(OpenLibvirtHypervisor(xen).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LibvirtHypervisorTest, NoCallbackAfterTheDriverIsDestroyed) {
  EventRecorder first_events;
  Result<std::unique_ptr<Hypervisor>> first = OpenLibvirtHypervisor(options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  (*first)->SetEventCallback(first_events.Callback());
  std::string uuid = Define(Spec());
  ASSERT_TRUE(driver_->Start(uuid).ok());
  ASSERT_TRUE(first_events.WaitFor(uuid, VmEvent::kStarted)) << "both drivers see the event";
  first->reset();

  ASSERT_TRUE(driver_->Destroy(uuid).ok());
  ASSERT_TRUE(events_.WaitFor(uuid, VmEvent::kStopped));
  EXPECT_EQ(first_events.CountOf(uuid, VmEvent::kStopped), 0u);
  EXPECT_EQ(first_events.Total(), 1u);
}

TEST_F(LibvirtHypervisorTest, ConcurrentCallsAndEventsAreSafe) {
  std::vector<std::string> uuids;
  for (int i = 0; i < 4; ++i) uuids.push_back(Define(Spec()));
  std::vector<std::thread> threads;
  for (const std::string& uuid : uuids) {
    threads.emplace_back([&, uuid] {
      for (int round = 0; round < 3; ++round) {
        EXPECT_TRUE(driver_->Start(uuid).ok());
        EXPECT_TRUE(driver_->ListDomains().ok());
        EXPECT_TRUE(driver_->Stop(uuid, std::chrono::seconds(2)).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& uuid : uuids) {
    EXPECT_TRUE(events_.WaitFor(uuid, VmEvent::kStopped));
    EXPECT_EQ(Power(uuid), PowerState::kShutOff);
  }
}

TEST(PowerStateNameTest, NamesEveryState) {
  EXPECT_EQ(PowerStateName(PowerState::kRunning), "running");
  EXPECT_EQ(PowerStateName(PowerState::kPaused), "paused");
  EXPECT_EQ(PowerStateName(PowerState::kShutOff), "shut off");
  EXPECT_EQ(PowerStateName(PowerState::kCrashed), "crashed");
  EXPECT_EQ(PowerStateName(PowerState::kOther), "other");
}

}  // namespace
}  // namespace novacron::vm
