#include "node/host_facts.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/kvm.h>
#include <pwd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "node/proc_parse.h"

namespace novacron::node {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText(int err) { return std::strerror(err); }

// The cgroup v2 directories that constrain this process, innermost first, ending at the mount
// root. Empty when `cgroup_root` is not a cgroup v2 mount (e.g. a cgroup v1 host).
std::vector<std::string> CgroupV2Chain(const HostPaths& paths) {
  std::vector<std::string> chain;
  struct stat st;
  if (::stat((paths.cgroup_root + "/cgroup.controllers").c_str(), &st) != 0) return chain;
  std::string rel;
  if (auto text = ReadSmallFile(paths.proc_root + "/self/cgroup"); text.ok()) {
    rel = ParseCgroupV2Path(*text).value_or("");
  }
  // Walk "/a/b" -> "/a" -> "" lexically; each level's limits apply to us.
  while (!rel.empty() && rel != "/") {
    chain.push_back(paths.cgroup_root + rel);
    rel.erase(rel.find_last_of('/'));
  }
  chain.push_back(paths.cgroup_root);
  return chain;
}

template <typename T>
std::optional<T> MinOpt(std::optional<T> a, std::optional<T> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

Result<int> AffinityCpus() {
  for (int ncpus = 1024; ncpus <= (1 << 20); ncpus *= 4) {
    cpu_set_t* set = CPU_ALLOC(ncpus);
    if (set == nullptr) return ResourceExhausted("sched_getaffinity: cannot allocate cpu set");
    const size_t size = CPU_ALLOC_SIZE(ncpus);
    CPU_ZERO_S(size, set);
    const int rc = ::sched_getaffinity(0, size, set);
    const int err = errno;
    const int count = rc == 0 ? CPU_COUNT_S(size, set) : 0;
    CPU_FREE(set);
    if (rc == 0) return count;
    if (err != EINVAL) return Internal("sched_getaffinity: " + ErrnoText(err));
  }
  return Internal("sched_getaffinity: cpu set too large");
}

std::string UserName(uid_t uid) {
  std::vector<char> buf(16384);
  struct passwd pw;
  struct passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(uid);
}

std::string GroupName(gid_t gid) {
  std::vector<char> buf(16384);
  struct group gr;
  struct group* found = nullptr;
  if (::getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->gr_name;
  }
  return std::to_string(gid);
}

std::string CpuVirtFlag(const std::string& proc_root) {
  auto text = ReadSmallFile(proc_root + "/cpuinfo");
  if (!text.ok()) return "";
  // Flags are space-separated words on "flags\t\t: ..." lines.
  const std::string& t = *text;
  for (const char* flag : {"vmx", "svm"}) {
    const std::string word = std::string(" ") + flag;
    for (size_t pos = t.find(word); pos != std::string::npos; pos = t.find(word, pos + 1)) {
      const size_t end = pos + word.size();
      if (end == t.size() || t[end] == ' ' || t[end] == '\n') return flag;
    }
  }
  return "";
}

}  // namespace

Result<CpuFacts> GatherCpuFacts(const HostPaths& paths) {
  Result<int> affinity = AffinityCpus();
  if (!affinity.ok()) return affinity.status();
  CpuFacts cpu;
  cpu.affinity_cpus = *affinity;
  for (const std::string& dir : CgroupV2Chain(paths)) {
    if (auto text = ReadSmallFile(dir + "/cpu.max"); text.ok()) {
      cpu.cgroup_cpu_limit = MinOpt(cpu.cgroup_cpu_limit, ParseCgroupCpuMax(*text));
    }
  }
  cpu.usable_cpus = static_cast<double>(cpu.affinity_cpus);
  if (cpu.cgroup_cpu_limit) cpu.usable_cpus = std::min(cpu.usable_cpus, *cpu.cgroup_cpu_limit);
  return cpu;
}

Result<MemoryFacts> GatherMemoryFacts(const HostPaths& paths) {
  const std::string meminfo_path = paths.proc_root + "/meminfo";
  Result<std::string> text = ReadSmallFile(meminfo_path);
  if (!text.ok()) return text.status();
  Result<Meminfo> info = ParseMeminfo(*text, meminfo_path);
  if (!info.ok()) return info.status();
  MemoryFacts mem;
  mem.host_total_bytes = info->total_bytes;
  mem.host_available_bytes = info->available_bytes;
  for (const std::string& dir : CgroupV2Chain(paths)) {
    auto max_text = ReadSmallFile(dir + "/memory.max");
    if (!max_text.ok()) continue;
    const std::optional<uint64_t> limit = ParseCgroupBytes(*max_text);
    if (!limit) continue;  // "max": no limit at this level
    mem.cgroup_limit_bytes = MinOpt(mem.cgroup_limit_bytes, limit);
    if (auto cur_text = ReadSmallFile(dir + "/memory.current"); cur_text.ok()) {
      if (const auto current = ParseCgroupBytes(*cur_text)) {
        const uint64_t headroom = *current >= *limit ? 0 : *limit - *current;
        mem.cgroup_available_bytes = MinOpt(mem.cgroup_available_bytes, std::optional(headroom));
      }
    }
  }
  mem.usable_total_bytes =
      std::min(mem.host_total_bytes, mem.cgroup_limit_bytes.value_or(mem.host_total_bytes));
  mem.usable_available_bytes = std::min(
      mem.host_available_bytes, mem.cgroup_available_bytes.value_or(mem.host_available_bytes));
  return mem;
}

Result<DiskFacts> GatherDiskFacts(const std::string& data_dir) {
  if (data_dir.empty()) return InvalidArgument("data dir: empty path");
  std::error_code ec;
  fs::path path = fs::absolute(fs::path(data_dir), ec).lexically_normal();
  if (ec) return Internal("data dir " + data_dir + ": " + ec.message());
  if (path.has_filename() == false && path != path.root_path()) path = path.parent_path();
  while (true) {
    struct statvfs vfs;
    if (::statvfs(path.c_str(), &vfs) == 0) {
      DiskFacts disk;
      disk.data_dir = data_dir;
      disk.probed_path = path.string();
      disk.free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
      disk.total_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
      return disk;
    }
    const int err = errno;
    // Only a missing path is walked up; anything else (EACCES, ENOTDIR...) is the answer.
    if (err != ENOENT || path == path.root_path()) {
      return Internal("statvfs " + path.string() + " (for data dir " + data_dir +
                      "): " + ErrnoText(err));
    }
    path = path.parent_path();
  }
}

KvmFacts GatherKvmFacts(const HostPaths& paths) {
  KvmFacts kvm;
  kvm.path = paths.dev_kvm;
  kvm.cpu_virt_flag = CpuVirtFlag(paths.proc_root);
  struct stat st;
  if (::stat(paths.dev_kvm.c_str(), &st) != 0) {
    kvm.open_errno = errno;
    return kvm;
  }
  kvm.exists = true;
  kvm.char_device = S_ISCHR(st.st_mode);
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  kvm.group = GroupName(st.st_gid);
  kvm.mode = st.st_mode & 07777;
  kvm.owner = UserName(st.st_uid) + ":" + kvm.group + " " + mode;
  const int fd = ::open(paths.dev_kvm.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    kvm.open_errno = errno;
    return kvm;
  }
  if (kvm.char_device) {
    const int version = ::ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version >= 0) kvm.api_version = version;
  }
  ::close(fd);
  return kvm;
}

HostFacts GatherHostFacts(const HostPaths& paths, const std::string& data_dir) {
  HostFacts facts;
  facts.cpu = GatherCpuFacts(paths);
  facts.memory = GatherMemoryFacts(paths);
  facts.disk = GatherDiskFacts(data_dir);
  facts.kvm = GatherKvmFacts(paths);
  facts.user = UserName(::geteuid());

  if (auto release = ReadSmallFile(paths.proc_root + "/sys/kernel/osrelease"); release.ok()) {
    std::string r = *release;
    while (!r.empty() && (r.back() == '\n' || r.back() == ' ')) r.pop_back();
    facts.kernel_release = r;
  } else {
    struct utsname uts;
    if (::uname(&uts) == 0) {
      facts.kernel_release = std::string(uts.release);
    } else {
      facts.kernel_release = release.status();
    }
  }

  if (auto fwd = ReadSmallFile(paths.proc_root + "/sys/net/ipv4/ip_forward"); fwd.ok()) {
    if (!fwd->empty() && (fwd->front() == '0' || fwd->front() == '1')) {
      facts.ip_forward = fwd->front() == '1';
    }
  }

  struct stat st;
  facts.vhost_net_path = paths.dev_vhost_net;
  facts.vhost_net = ::stat(paths.dev_vhost_net.c_str(), &st) == 0;
  return facts;
}

}  // namespace novacron::node
