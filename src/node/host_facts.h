// What preflight reads from the machine, gathered in one pass. The sources are injectable
// (HostPaths) so tests can point at fake /proc and cgroup trees in a temp dir.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace novacron::node {

// Where the host facts come from. Defaults are the real machine.
struct HostPaths {
  std::string proc_root = "/proc";
  std::string cgroup_root = "/sys/fs/cgroup";  // a cgroup v2 (unified) mount, if any
  std::string dev_kvm = "/dev/kvm";
  std::string dev_vhost_net = "/dev/vhost-net";
};

struct CpuFacts {
  int affinity_cpus = 0;                   // sched_getaffinity of this process
  std::optional<double> cgroup_cpu_limit;  // the tightest cgroup v2 cpu.max on our path
  double usable_cpus = 0;                  // min of the two
};

struct MemoryFacts {
  uint64_t host_total_bytes = 0;                   // /proc/meminfo MemTotal
  uint64_t host_available_bytes = 0;               // /proc/meminfo MemAvailable
  std::optional<uint64_t> cgroup_limit_bytes;      // tightest memory.max on our path
  std::optional<uint64_t> cgroup_available_bytes;  // tightest memory.max - memory.current
  uint64_t usable_total_bytes = 0;                 // min(host total, cgroup limit)
  uint64_t usable_available_bytes = 0;             // min(host available, cgroup headroom)
};

struct DiskFacts {
  std::string data_dir;     // as asked for
  std::string probed_path;  // data_dir, or its nearest existing parent
  uint64_t free_bytes = 0;  // available to unprivileged users (f_bavail)
  uint64_t total_bytes = 0;
};

struct KvmFacts {
  std::string path;     // the device node probed
  bool exists = false;  // the path exists
  bool char_device = false;
  int open_errno = 0;              // errno of open(O_RDWR); 0 when it opened
  std::optional<int> api_version;  // KVM_GET_API_VERSION when the device answered it
  std::string owner;               // "root:kvm 0660", for the fix when access is denied
  std::string group;               // the device's group name ("kvm")
  unsigned mode = 0;               // the device's permission bits
  std::string cpu_virt_flag;       // "vmx", "svm" or "" (from /proc/cpuinfo), to name the module
  bool usable() const { return exists && char_device && open_errno == 0; }
};

struct HostFacts {
  Result<CpuFacts> cpu = CpuFacts{};
  Result<MemoryFacts> memory = MemoryFacts{};
  Result<DiskFacts> disk = DiskFacts{};
  KvmFacts kvm;
  Result<std::string> kernel_release = std::string();
  std::optional<bool> ip_forward;  // /proc/sys/net/ipv4/ip_forward; nullopt when unreadable
  std::string vhost_net_path;      // the vhost-net device probed
  bool vhost_net = false;          // ... and whether it exists
  std::string user;                // effective user name, for the kvm group fix
};

// Reads the machine. Never fails as a whole: each fact carries its own error.
HostFacts GatherHostFacts(const HostPaths& paths, const std::string& data_dir);

// The parts of GatherHostFacts, exposed for tests.
Result<CpuFacts> GatherCpuFacts(const HostPaths& paths);
Result<MemoryFacts> GatherMemoryFacts(const HostPaths& paths);
Result<DiskFacts> GatherDiskFacts(const std::string& data_dir);
KvmFacts GatherKvmFacts(const HostPaths& paths);

}  // namespace novacron::node
