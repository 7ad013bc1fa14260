// Preflight: can this machine be a NovaCron hypervisor node? Reads the host (CPUs, memory, disk
// at the data dir, /dev/kvm, kernel, networking capabilities) and judges it against thresholds
// the caller resolved from configuration. The `resources` component runs it at boot (a failing
// report halts boot with exit code 1); `novacron check` prints it as a table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "node/host_facts.h"

namespace novacron::node {

struct PreflightThresholds {
  int min_cpus = 1;
  uint64_t min_memory_mib = 0;     // of usable total memory (host, or cgroup limit if lower)
  uint64_t min_disk_free_mib = 0;  // free at the data dir's filesystem
  bool require_kvm = true;         // false: a missing/unusable /dev/kvm is only a warning
};

struct CheckResult {
  enum Status { kPass, kWarn, kFail };

  std::string name;  // "cpus", "memory", "memory_available", "disk_free", "kvm", "kernel", ...
  Status status = kPass;
  std::string observed;  // what the machine has, e.g. "2 (affinity 4, cgroup cpu.max 2)"
  std::string required;  // e.g. ">= 2", or "-" for informational checks
  std::string detail;    // why, and the fix, when not passing
};

std::string_view CheckStatusName(CheckResult::Status status);  // "PASS", "WARN", "FAIL"

struct PreflightReport {
  std::vector<CheckResult> checks;
  HostFacts facts;  // the raw measurements, for capacity reporting

  // No check failed (warnings are allowed).
  bool ok() const;
  int Count(CheckResult::Status status) const;
  // OK, or FailedPrecondition listing each failing check: "preflight failed: kvm: /dev/kvm
  // missing (load kvm_intel or kvm_amd); memory: ...".
  novacron::Status ToStatus() const;
};

// Judges already-gathered facts. Pure: no I/O.
//
// Rules: cpus, memory and disk_free fail below their minimum; memory_available warns when the
// memory free right now is below min_memory_mib (other tenants hold it; VMs may not fit);
// kvm fails when unusable and required, else warns; kernel, ip_forward are informational
// (pass, detail explains); vhost_net missing warns (virtio-net falls back to slower userspace
// networking). A fact that could not be read fails its check when a minimum is set, else warns.
PreflightReport EvaluatePreflight(HostFacts facts, const PreflightThresholds& thresholds);

// Gathers the facts from `paths` (the real machine by default) and evaluates them.
PreflightReport RunPreflight(const PreflightThresholds& thresholds, const std::string& data_dir,
                             const HostPaths& paths = HostPaths());

// An aligned text table, one row per check, columns CHECK STATUS OBSERVED REQUIRED DETAIL,
// each line ending in '\n'. Used by `novacron check`.
std::string FormatPreflightTable(const PreflightReport& report);

}  // namespace novacron::node
