#include "node/preflight.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

namespace novacron::node {
namespace {

constexpr uint64_t kMib = 1024 * 1024;

std::string Mib(uint64_t bytes) { return std::to_string(bytes / kMib) + " MiB"; }

// "2", "1.5", "0.25": CPU counts and limits without trailing zeros.
std::string Cpus(double cpus) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", cpus);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// A fact we could not read: fail when the check has a minimum to enforce, else only warn.
CheckResult Unreadable(std::string name, const novacron::Status& why, bool enforced,
                       std::string required) {
  return {std::move(name), enforced ? CheckResult::kFail : CheckResult::kWarn, "unknown",
          std::move(required), "cannot read: " + why.ToString()};
}

CheckResult CheckCpus(const Result<CpuFacts>& cpu, int min_cpus) {
  const std::string required = ">= " + std::to_string(min_cpus);
  if (!cpu.ok()) return Unreadable("cpus", cpu.status(), min_cpus > 0, required);
  CheckResult r{"cpus", CheckResult::kPass, Cpus(cpu->usable_cpus), required, ""};
  if (cpu->cgroup_cpu_limit) {
    r.observed += " (affinity " + std::to_string(cpu->affinity_cpus) + ", cgroup cpu.max " +
                  Cpus(*cpu->cgroup_cpu_limit) + ")";
  }
  if (cpu->usable_cpus < static_cast<double>(min_cpus)) {
    r.status = CheckResult::kFail;
    r.detail =
        "too few usable CPUs: widen the CPU affinity / cgroup cpu.max of the service, "
        "or use a larger machine";
  }
  return r;
}

CheckResult CheckMemory(const Result<MemoryFacts>& mem, uint64_t min_mib) {
  const std::string required = ">= " + std::to_string(min_mib) + " MiB";
  if (!mem.ok()) return Unreadable("memory", mem.status(), min_mib > 0, required);
  CheckResult r{"memory", CheckResult::kPass, Mib(mem->usable_total_bytes) + " total", required,
                ""};
  if (mem->cgroup_limit_bytes && *mem->cgroup_limit_bytes < mem->host_total_bytes) {
    r.observed += " (cgroup memory.max; host " + Mib(mem->host_total_bytes) + ")";
  }
  if (mem->usable_total_bytes / kMib < min_mib) {
    r.status = CheckResult::kFail;
    r.detail = "too little memory: raise the service's cgroup memory.max (MemoryMax=) or add RAM";
  }
  return r;
}

CheckResult CheckMemoryAvailable(const Result<MemoryFacts>& mem, uint64_t min_mib) {
  const std::string required = ">= " + std::to_string(min_mib) + " MiB";
  if (!mem.ok()) return Unreadable("memory_available", mem.status(), false, required);
  CheckResult r{"memory_available", CheckResult::kPass,
                Mib(mem->usable_available_bytes) + " available", required, ""};
  if (mem->usable_available_bytes / kMib < min_mib) {
    r.status = CheckResult::kWarn;
    r.detail = "memory is in use by other processes; VMs may not fit until it is freed";
  }
  return r;
}

CheckResult CheckDisk(const Result<DiskFacts>& disk, uint64_t min_mib) {
  const std::string required = ">= " + std::to_string(min_mib) + " MiB";
  if (!disk.ok()) return Unreadable("disk_free", disk.status(), min_mib > 0, required);
  CheckResult r{"disk_free", CheckResult::kPass,
                Mib(disk->free_bytes) + " free at " + disk->probed_path, required, ""};
  if (disk->probed_path != disk->data_dir) {
    r.observed += " (data dir " + disk->data_dir + " not created yet)";
  }
  if (disk->free_bytes / kMib < min_mib) {
    r.status = CheckResult::kFail;
    r.detail = "not enough free space for the data dir: free space on " + disk->probed_path +
               " or set system.data_dir to a larger filesystem";
  }
  return r;
}

std::string LoadKvmModuleFix(const KvmFacts& kvm) {
  if (kvm.cpu_virt_flag == "vmx") return "load kvm_intel (modprobe kvm_intel)";
  if (kvm.cpu_virt_flag == "svm") return "load kvm_amd (modprobe kvm_amd)";
  return "load kvm_intel or kvm_amd; the CPU shows no vmx/svm flag, so first enable "
         "virtualization (VT-x/AMD-V) in firmware, or nested virtualization on the host";
}

CheckResult CheckKvm(const KvmFacts& kvm, const std::string& user, bool require_kvm) {
  CheckResult r{"kvm", CheckResult::kPass, "", require_kvm ? "read/write" : "optional", ""};
  if (kvm.usable()) {
    r.observed = kvm.path + " read/write";
    if (kvm.api_version) r.observed += " (KVM API " + std::to_string(*kvm.api_version) + ")";
    return r;
  }
  r.status = require_kvm ? CheckResult::kFail : CheckResult::kWarn;
  const std::string prefix = require_kvm ? "" : "VMs cannot use hardware acceleration: ";
  if (!kvm.exists && (kvm.open_errno == ENOENT || kvm.open_errno == 0)) {
    r.observed = kvm.path + " missing";
    r.detail = prefix + LoadKvmModuleFix(kvm);
  } else if (!kvm.exists) {
    r.observed = kvm.path + ": " + std::strerror(kvm.open_errno);
    r.detail = prefix + "cannot stat the KVM device";
  } else if (!kvm.char_device) {
    r.observed = kvm.path + " is not a character device";
    r.detail = prefix + "remove it and " + LoadKvmModuleFix(kvm);
  } else if (kvm.open_errno == EACCES || kvm.open_errno == EPERM) {
    r.observed = kvm.path + " permission denied (" + kvm.owner + ")";
    r.detail = prefix + "add the user to group kvm: usermod -aG kvm " + user +
               ", then restart the daemon (systemd: SupplementaryGroups=kvm)";
    if (kvm.group != "kvm" || (kvm.mode & 060) != 060) {
      // Group membership alone does not help until the device is group kvm, mode 0660.
      r.detail +=
          "; and make the device group-accessible: udev rule KERNEL==\"kvm\", "
          "GROUP=\"kvm\", MODE=\"0660\" (or chgrp kvm " +
          kvm.path + "; chmod 0660 " + kvm.path + ")";
    }
  } else if (kvm.open_errno == ENXIO || kvm.open_errno == ENODEV) {
    r.observed = kvm.path + " present but no driver (" + std::strerror(kvm.open_errno) + ")";
    r.detail = prefix + LoadKvmModuleFix(kvm);
  } else {
    r.observed = kvm.path + ": " + std::strerror(kvm.open_errno);
    r.detail = prefix + "cannot open the KVM device read/write";
  }
  return r;
}

CheckResult CheckKernel(const Result<std::string>& release) {
  if (!release.ok()) return Unreadable("kernel", release.status(), false, "-");
  return {"kernel", CheckResult::kPass, *release, "-", ""};
}

CheckResult CheckIpForward(const std::optional<bool>& ip_forward) {
  CheckResult r{"ip_forward", CheckResult::kPass, "unknown", "-", ""};
  if (!ip_forward) {
    r.detail = "cannot read net.ipv4.ip_forward";
  } else if (*ip_forward) {
    r.observed = "enabled";
  } else {
    r.observed = "disabled";
    r.detail = "only routed/NAT VM networks need it: sysctl -w net.ipv4.ip_forward=1";
  }
  return r;
}

CheckResult CheckVhostNet(bool present, const std::string& path) {
  if (present) return {"vhost_net", CheckResult::kPass, path + " present", "-", ""};
  return {"vhost_net", CheckResult::kWarn, path + " missing", "-",
          "virtio-net falls back to slower userspace networking: modprobe vhost_net"};
}

}  // namespace

std::string_view CheckStatusName(CheckResult::Status status) {
  switch (status) {
    case CheckResult::kPass:
      return "PASS";
    case CheckResult::kWarn:
      return "WARN";
    case CheckResult::kFail:
      return "FAIL";
  }
  return "?";
}

bool PreflightReport::ok() const { return Count(CheckResult::kFail) == 0; }

int PreflightReport::Count(CheckResult::Status status) const {
  int n = 0;
  for (const CheckResult& c : checks) n += c.status == status ? 1 : 0;
  return n;
}

novacron::Status PreflightReport::ToStatus() const {
  std::string failures;
  for (const CheckResult& c : checks) {
    if (c.status != CheckResult::kFail) continue;
    if (!failures.empty()) failures += "; ";
    failures += c.name + ": " + c.observed + ", need " + c.required;
    if (!c.detail.empty()) failures += " (" + c.detail + ")";
  }
  if (failures.empty()) return novacron::Status::Ok();
  return FailedPrecondition("preflight failed: " + failures);
}

PreflightReport EvaluatePreflight(HostFacts facts, const PreflightThresholds& thresholds) {
  PreflightReport report;
  report.checks = {
      CheckCpus(facts.cpu, thresholds.min_cpus),
      CheckMemory(facts.memory, thresholds.min_memory_mib),
      CheckMemoryAvailable(facts.memory, thresholds.min_memory_mib),
      CheckDisk(facts.disk, thresholds.min_disk_free_mib),
      CheckKvm(facts.kvm, facts.user, thresholds.require_kvm),
      CheckKernel(facts.kernel_release),
      CheckIpForward(facts.ip_forward),
      CheckVhostNet(facts.vhost_net, facts.vhost_net_path),
  };
  report.facts = std::move(facts);
  return report;
}

PreflightReport RunPreflight(const PreflightThresholds& thresholds, const std::string& data_dir,
                             const HostPaths& paths) {
  return EvaluatePreflight(GatherHostFacts(paths, data_dir), thresholds);
}

}  // namespace novacron::node
