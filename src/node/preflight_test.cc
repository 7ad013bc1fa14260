#include "node/preflight.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <set>

#include "node/temp_dir_for_test.h"

namespace novacron::node {
namespace {

constexpr uint64_t kMib = 1024ULL * 1024;

// A healthy host: 4 CPUs, 8 GiB (6 available), 100 GiB free, usable KVM.
HostFacts HealthyFacts() {
  HostFacts f;
  f.cpu = CpuFacts{4, std::nullopt, 4.0};
  MemoryFacts mem;
  mem.host_total_bytes = mem.usable_total_bytes = 8192 * kMib;
  mem.host_available_bytes = mem.usable_available_bytes = 6144 * kMib;
  f.memory = mem;
  f.disk = DiskFacts{"/var/lib/novacron", "/var/lib/novacron", 102400 * kMib, 204800 * kMib};
  f.kvm.path = "/dev/kvm";
  f.kvm.exists = true;
  f.kvm.char_device = true;
  f.kvm.api_version = 12;
  f.kvm.cpu_virt_flag = "vmx";
  f.kernel_release = std::string("6.1.0");
  f.ip_forward = true;
  f.vhost_net_path = "/dev/vhost-net";
  f.vhost_net = true;
  f.user = "novacron";
  return f;
}

PreflightThresholds Thresholds() { return {4, 8192, 102400, true}; }

const CheckResult& Find(const PreflightReport& report, const std::string& name) {
  for (const CheckResult& c : report.checks) {
    if (c.name == name) return c;
  }
  static const CheckResult kMissing{"<missing>", CheckResult::kFail, "", "", ""};
  ADD_FAILURE() << "no check named " << name;
  return kMissing;
}

TEST(EvaluatePreflightTest, ExactlyAtEveryMinimumPasses) {
  const PreflightReport report = EvaluatePreflight(HealthyFacts(), Thresholds());
  EXPECT_TRUE(report.ok()) << report.ToStatus().ToString();
  EXPECT_EQ(report.Count(CheckResult::kFail), 0);
  EXPECT_TRUE(report.ToStatus().ok());
  EXPECT_EQ(Find(report, "cpus").observed, "4");
  EXPECT_EQ(Find(report, "kvm").observed, "/dev/kvm read/write (KVM API 12)");
}

TEST(EvaluatePreflightTest, OneBelowEachMinimumFails) {
  PreflightThresholds t = Thresholds();
  t.min_cpus = 5;
  t.min_memory_mib = 8193;
  t.min_disk_free_mib = 102401;
  const PreflightReport report = EvaluatePreflight(HealthyFacts(), t);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(Find(report, "cpus").status, CheckResult::kFail);
  EXPECT_EQ(Find(report, "memory").status, CheckResult::kFail);
  EXPECT_EQ(Find(report, "disk_free").status, CheckResult::kFail);
  EXPECT_EQ(Find(report, "memory_available").status, CheckResult::kWarn);
  const Status status = report.ToStatus();
  EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("cpus: 4, need >= 5"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("disk_free"), std::string::npos);
  EXPECT_EQ(status.message().find("memory_available"), std::string::npos);  // only a warning
}

TEST(EvaluatePreflightTest, CgroupQuotaIsShownAndEnforced) {
  HostFacts f = HealthyFacts();
  f.cpu = CpuFacts{4, 1.5, 1.5};
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  const CheckResult& cpus = Find(report, "cpus");
  EXPECT_EQ(cpus.status, CheckResult::kFail);
  EXPECT_EQ(cpus.observed, "1.5 (affinity 4, cgroup cpu.max 1.5)");
  EXPECT_NE(cpus.detail.find("cpu.max"), std::string::npos);
}

TEST(EvaluatePreflightTest, LowAvailableMemoryOnlyWarns) {
  HostFacts f = HealthyFacts();
  f.memory->usable_available_bytes = 100 * kMib;
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(Find(report, "memory_available").status, CheckResult::kWarn);
  EXPECT_EQ(report.Count(CheckResult::kWarn), 1);
}

TEST(EvaluatePreflightTest, MissingDataDirIsExplained) {
  HostFacts f = HealthyFacts();
  f.disk->probed_path = "/var/lib";
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  const CheckResult& disk = Find(report, "disk_free");
  EXPECT_EQ(disk.status, CheckResult::kPass);
  EXPECT_NE(disk.observed.find("at /var/lib (data dir /var/lib/novacron not created yet)"),
            std::string::npos)
      << disk.observed;
}

TEST(EvaluatePreflightTest, KvmMissingRequiredFailsWithModuleFix) {
  HostFacts f = HealthyFacts();
  f.kvm.exists = false;
  f.kvm.char_device = false;
  f.kvm.open_errno = ENOENT;
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  const CheckResult& kvm = Find(report, "kvm");
  EXPECT_EQ(kvm.status, CheckResult::kFail);
  EXPECT_EQ(kvm.observed, "/dev/kvm missing");
  EXPECT_NE(kvm.detail.find("load kvm_intel"), std::string::npos) << kvm.detail;
  EXPECT_NE(report.ToStatus().message().find("kvm: /dev/kvm missing"), std::string::npos);
}

TEST(EvaluatePreflightTest, KvmMissingWithoutCpuFlagNamesBothModulesAndFirmware) {
  HostFacts f = HealthyFacts();
  f.kvm.exists = false;
  f.kvm.open_errno = ENOENT;
  f.kvm.cpu_virt_flag = "";
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  const CheckResult& kvm = Find(report, "kvm");
  EXPECT_NE(kvm.detail.find("load kvm_intel or kvm_amd"), std::string::npos) << kvm.detail;
  EXPECT_NE(kvm.detail.find("firmware"), std::string::npos);
}

TEST(EvaluatePreflightTest, KvmMissingNotRequiredWarnsWithReason) {
  HostFacts f = HealthyFacts();
  f.kvm.exists = false;
  f.kvm.open_errno = ENOENT;
  f.kvm.cpu_virt_flag = "svm";
  PreflightThresholds t = Thresholds();
  t.require_kvm = false;
  const PreflightReport report = EvaluatePreflight(f, t);
  EXPECT_TRUE(report.ok());
  const CheckResult& kvm = Find(report, "kvm");
  EXPECT_EQ(kvm.status, CheckResult::kWarn);
  EXPECT_EQ(kvm.required, "optional");
  EXPECT_NE(kvm.detail.find("load kvm_amd"), std::string::npos) << kvm.detail;
}

TEST(EvaluatePreflightTest, KvmPermissionDeniedSaysAddUserToGroupKvm) {
  HostFacts f = HealthyFacts();
  f.kvm.open_errno = EACCES;
  f.kvm.owner = "root:kvm 0660";
  f.kvm.group = "kvm";
  f.kvm.mode = 0660;
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  const CheckResult& kvm = Find(report, "kvm");
  EXPECT_EQ(kvm.status, CheckResult::kFail);
  EXPECT_EQ(kvm.observed, "/dev/kvm permission denied (root:kvm 0660)");
  EXPECT_NE(kvm.detail.find("add the user to group kvm: usermod -aG kvm novacron"),
            std::string::npos)
      << kvm.detail;
  EXPECT_EQ(kvm.detail.find("udev"), std::string::npos) << "the device is already group kvm";
}

TEST(EvaluatePreflightTest, KvmDeviceNotGroupAccessibleSaysFixTheDeviceToo) {
  HostFacts f = HealthyFacts();
  f.kvm.open_errno = EACCES;
  f.kvm.owner = "root:root 0600";
  f.kvm.group = "root";
  f.kvm.mode = 0600;
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  const CheckResult& kvm = Find(report, "kvm");
  EXPECT_NE(kvm.detail.find("add the user to group kvm"), std::string::npos);
  EXPECT_NE(kvm.detail.find("MODE=\"0660\""), std::string::npos) << kvm.detail;
}

TEST(EvaluatePreflightTest, KvmNodeWithoutDriverSaysLoadModule) {
  HostFacts f = HealthyFacts();
  f.kvm.open_errno = ENXIO;
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  const CheckResult& kvm = Find(report, "kvm");
  EXPECT_EQ(kvm.status, CheckResult::kFail);
  EXPECT_NE(kvm.detail.find("kvm_intel"), std::string::npos);
}

TEST(EvaluatePreflightTest, UnreadableFactFailsOnlyWhenEnforced) {
  HostFacts f = HealthyFacts();
  f.memory = NotFound("/fake/proc/meminfo: No such file or directory");
  PreflightReport report = EvaluatePreflight(f, Thresholds());
  EXPECT_EQ(Find(report, "memory").status, CheckResult::kFail);
  EXPECT_NE(Find(report, "memory").detail.find("/fake/proc/meminfo"), std::string::npos);
  PreflightThresholds t = Thresholds();
  t.min_memory_mib = 0;
  report = EvaluatePreflight(f, t);
  EXPECT_EQ(Find(report, "memory").status, CheckResult::kWarn);
  EXPECT_TRUE(report.ok());
}

TEST(EvaluatePreflightTest, InformationalChecks) {
  HostFacts f = HealthyFacts();
  f.ip_forward = false;
  f.vhost_net = false;
  const PreflightReport report = EvaluatePreflight(f, Thresholds());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(Find(report, "ip_forward").status, CheckResult::kPass);
  EXPECT_EQ(Find(report, "ip_forward").observed, "disabled");
  EXPECT_EQ(Find(report, "vhost_net").status, CheckResult::kWarn);
  EXPECT_EQ(Find(report, "vhost_net").observed, "/dev/vhost-net missing");
  EXPECT_EQ(Find(report, "kernel").observed, "6.1.0");
}

TEST(RunPreflightTest, RealHostWithNoRequirementsPasses) {
  TempDirForTest dir;
  const PreflightReport report = RunPreflight({0, 0, 0, false}, dir.path() + "/data");
  EXPECT_TRUE(report.ok()) << report.ToStatus().ToString();
  std::set<std::string> names;
  for (const CheckResult& c : report.checks) names.insert(c.name);
  EXPECT_EQ(names.size(), report.checks.size()) << "check names are unique";
  EXPECT_EQ(names.count("kvm"), 1u);
  ASSERT_TRUE(report.facts.cpu.ok());
  EXPECT_GE(report.facts.cpu->usable_cpus, 0.01);
  ASSERT_TRUE(report.facts.memory.ok());
  EXPECT_GT(report.facts.memory->usable_total_bytes, 0u);
  ASSERT_TRUE(report.facts.disk.ok());
  EXPECT_EQ(report.facts.disk->probed_path, dir.path());
  // The kvm row agrees with the facts.
  const CheckResult& kvm = Find(report, "kvm");
  EXPECT_EQ(kvm.status == CheckResult::kPass, report.facts.kvm.usable());
}

TEST(RunPreflightTest, RealHostFailsImpossibleRequirements) {
  TempDirForTest dir;
  const PreflightReport report =
      RunPreflight({1 << 20, UINT64_MAX, UINT64_MAX, false}, dir.path());  // no overflow
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(Find(report, "cpus").status, CheckResult::kFail);
  EXPECT_EQ(Find(report, "memory").status, CheckResult::kFail);
  EXPECT_EQ(Find(report, "disk_free").status, CheckResult::kFail);
}

TEST(RunPreflightTest, FakeDevicesAreUsed) {
  TempDirForTest dir;
  HostPaths paths;
  paths.dev_kvm = dir.path() + "/kvm";
  paths.dev_vhost_net = dir.path() + "/vhost-net";
  const PreflightReport report = RunPreflight({0, 0, 0, true}, dir.path(), paths);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(Find(report, "kvm").observed, paths.dev_kvm + " missing");
  EXPECT_EQ(Find(report, "vhost_net").observed, paths.dev_vhost_net + " missing");
}

TEST(CheckStatusNameTest, Names) {
  EXPECT_EQ(CheckStatusName(CheckResult::kPass), "PASS");
  EXPECT_EQ(CheckStatusName(CheckResult::kWarn), "WARN");
  EXPECT_EQ(CheckStatusName(CheckResult::kFail), "FAIL");
}

}  // namespace
}  // namespace novacron::node
