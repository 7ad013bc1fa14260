#include "node/host_facts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "node/temp_dir_for_test.h"

namespace novacron::node {
namespace {

constexpr uint64_t kGib = 1024ULL * 1024 * 1024;

// A fake /proc and cgroup v2 tree in a temp dir.
struct FakeHost {
  TempDirForTest dir;
  HostPaths paths;

  FakeHost() {
    paths.proc_root = dir.path() + "/proc";
    paths.cgroup_root = dir.path() + "/cgroup";
    paths.dev_kvm = dir.path() + "/dev/kvm";
    paths.dev_vhost_net = dir.path() + "/dev/vhost-net";
    dir.Write("proc/meminfo", "MemTotal: 8388608 kB\nMemAvailable: 6291456 kB\n");  // 8G, 6G
  }
};

TEST(GatherMemoryFactsTest, ReadsFakeMeminfoWithoutCgroup) {
  FakeHost host;
  const auto mem = GatherMemoryFacts(host.paths);
  ASSERT_TRUE(mem.ok()) << mem.status().ToString();
  EXPECT_EQ(mem->host_total_bytes, 8 * kGib);
  EXPECT_EQ(mem->usable_total_bytes, 8 * kGib);
  EXPECT_EQ(mem->usable_available_bytes, 6 * kGib);
  EXPECT_FALSE(mem->cgroup_limit_bytes.has_value());
}

TEST(GatherMemoryFactsTest, TightestCgroupLimitOnThePathWins) {
  FakeHost host;
  host.dir.Write("proc/self/cgroup", "0::/a/b\n");
  host.dir.Write("cgroup/cgroup.controllers", "cpu memory\n");
  host.dir.Write("cgroup/a/memory.max", std::to_string(2 * kGib) + "\n");
  host.dir.Write("cgroup/a/memory.current", std::to_string(kGib / 2) + "\n");
  host.dir.Write("cgroup/a/b/memory.max", "max\n");
  host.dir.Write("cgroup/a/b/memory.current", "4096\n");
  const auto mem = GatherMemoryFacts(host.paths);
  ASSERT_TRUE(mem.ok()) << mem.status().ToString();
  EXPECT_EQ(mem->cgroup_limit_bytes, 2 * kGib);
  EXPECT_EQ(mem->usable_total_bytes, 2 * kGib);
  EXPECT_EQ(mem->usable_available_bytes, 2 * kGib - kGib / 2);
  EXPECT_EQ(mem->host_total_bytes, 8 * kGib);
}

TEST(GatherMemoryFactsTest, MissingMeminfoIsNotFoundNamingThePath) {
  FakeHost host;
  host.paths.proc_root = host.dir.path() + "/no-proc";
  const auto mem = GatherMemoryFacts(host.paths);
  ASSERT_FALSE(mem.ok());
  EXPECT_EQ(mem.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(mem.status().message().find("no-proc/meminfo"), std::string::npos);
}

TEST(GatherCpuFactsTest, CgroupQuotaLimitsUsableCpus) {
  FakeHost host;
  host.dir.Write("proc/self/cgroup", "0::/svc\n");
  host.dir.Write("cgroup/cgroup.controllers", "cpu\n");
  host.dir.Write("cgroup/svc/cpu.max", "50000 100000\n");
  const auto cpu = GatherCpuFacts(host.paths);
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  EXPECT_GE(cpu->affinity_cpus, 1);
  EXPECT_EQ(cpu->cgroup_cpu_limit, 0.5);
  EXPECT_EQ(cpu->usable_cpus, 0.5);
}

TEST(GatherCpuFactsTest, CgroupV1HostHasNoQuota) {
  FakeHost host;  // no cgroup.controllers: not a cgroup v2 mount
  host.dir.Write("proc/self/cgroup", "0::/svc\n");
  host.dir.Write("cgroup/svc/cpu.max", "50000 100000\n");
  const auto cpu = GatherCpuFacts(host.paths);
  ASSERT_TRUE(cpu.ok());
  EXPECT_FALSE(cpu->cgroup_cpu_limit.has_value());
  EXPECT_EQ(cpu->usable_cpus, cpu->affinity_cpus);
}

TEST(GatherCpuFactsTest, RealHostAgreesWithSysconf) {
  const auto cpu = GatherCpuFacts(HostPaths());
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  EXPECT_GE(cpu->affinity_cpus, 1);
  EXPECT_LE(cpu->affinity_cpus, ::sysconf(_SC_NPROCESSORS_CONF));
  EXPECT_GT(cpu->usable_cpus, 0);
  EXPECT_LE(cpu->usable_cpus, cpu->affinity_cpus);
}

TEST(GatherMemoryFactsTest, RealHostIsConsistent) {
  const auto mem = GatherMemoryFacts(HostPaths());
  ASSERT_TRUE(mem.ok()) << mem.status().ToString();
  EXPECT_GT(mem->usable_total_bytes, 0u);
  EXPECT_GT(mem->usable_available_bytes, 0u);
  EXPECT_LE(mem->usable_available_bytes, mem->usable_total_bytes);
  EXPECT_LE(mem->usable_total_bytes, mem->host_total_bytes);
}

TEST(GatherDiskFactsTest, MissingDataDirProbesNearestExistingParent) {
  TempDirForTest dir;
  const std::string data_dir = dir.path() + "/not/yet/created/";
  const auto disk = GatherDiskFacts(data_dir);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  EXPECT_EQ(disk->data_dir, data_dir);
  EXPECT_EQ(disk->probed_path, dir.path());
  EXPECT_GT(disk->free_bytes, 0u);
  EXPECT_LE(disk->free_bytes, disk->total_bytes);
}

TEST(GatherDiskFactsTest, ExistingDirIsProbedItself) {
  TempDirForTest dir;
  const auto disk = GatherDiskFacts(dir.path());
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  EXPECT_EQ(disk->probed_path, dir.path());
}

TEST(GatherDiskFactsTest, PathThroughAFileIsAnError) {
  TempDirForTest dir;
  const std::string file = dir.Write("file", "x");
  const auto disk = GatherDiskFacts(file + "/sub");
  ASSERT_FALSE(disk.ok());
  EXPECT_NE(disk.status().message().find(file + "/sub"), std::string::npos);
  EXPECT_FALSE(GatherDiskFacts("").ok());
}

TEST(GatherKvmFactsTest, MissingDevice) {
  FakeHost host;
  const KvmFacts kvm = GatherKvmFacts(host.paths);
  EXPECT_FALSE(kvm.exists);
  EXPECT_EQ(kvm.open_errno, ENOENT);
  EXPECT_FALSE(kvm.usable());
}

TEST(GatherKvmFactsTest, RegularFileIsNotACharDevice) {
  FakeHost host;
  host.dir.Write("dev/kvm", "");
  const KvmFacts kvm = GatherKvmFacts(host.paths);
  EXPECT_TRUE(kvm.exists);
  EXPECT_FALSE(kvm.char_device);
  EXPECT_FALSE(kvm.usable());
}

TEST(GatherKvmFactsTest, ReadWriteCharDeviceIsUsable) {
  FakeHost host;
  host.paths.dev_kvm = "/dev/null";  // a character device anyone may open read/write
  const KvmFacts kvm = GatherKvmFacts(host.paths);
  EXPECT_TRUE(kvm.usable());
  EXPECT_FALSE(kvm.api_version.has_value());  // /dev/null does not speak KVM ioctls
  EXPECT_NE(kvm.owner.find("0666"), std::string::npos) << kvm.owner;
}

TEST(GatherKvmFactsTest, PermissionDeniedWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root bypasses file permissions";
  FakeHost host;
  const std::string path = host.dir.Write("dev/kvm", "");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  const KvmFacts kvm = GatherKvmFacts(host.paths);
  EXPECT_EQ(kvm.open_errno, EACCES);
}

TEST(GatherKvmFactsTest, CpuVirtualizationFlagFromCpuinfo) {
  FakeHost host;
  host.dir.Write("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme svm lm\n");
  EXPECT_EQ(GatherKvmFacts(host.paths).cpu_virt_flag, "svm");
  host.dir.Write("proc/cpuinfo", "flags\t\t: fpu vmx\n");
  EXPECT_EQ(GatherKvmFacts(host.paths).cpu_virt_flag, "vmx");
  host.dir.Write("proc/cpuinfo", "flags\t\t: fpu vmxnot svmish\n");
  EXPECT_EQ(GatherKvmFacts(host.paths).cpu_virt_flag, "");
}

TEST(GatherHostFactsTest, FakeProcKernelAndNetworking) {
  FakeHost host;
  host.dir.Write("proc/sys/kernel/osrelease", "6.1.0-test\n");
  host.dir.Write("proc/sys/net/ipv4/ip_forward", "1\n");
  host.dir.Write("dev/vhost-net", "");
  const HostFacts facts = GatherHostFacts(host.paths, host.dir.path());
  ASSERT_TRUE(facts.kernel_release.ok());
  EXPECT_EQ(*facts.kernel_release, "6.1.0-test");
  EXPECT_EQ(facts.ip_forward, true);
  EXPECT_TRUE(facts.vhost_net);
  EXPECT_FALSE(facts.user.empty());
}

TEST(GatherHostFactsTest, KernelFallsBackToUname) {
  FakeHost host;
  const HostFacts facts = GatherHostFacts(host.paths, host.dir.path());
  ASSERT_TRUE(facts.kernel_release.ok());
  EXPECT_FALSE(facts.kernel_release->empty());
  EXPECT_FALSE(facts.ip_forward.has_value());
  EXPECT_FALSE(facts.vhost_net);
}

}  // namespace
}  // namespace novacron::node
