#include "vm/admission.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace novacron::vm {
namespace {

std::string Ratio(double r) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", r);
  return buf;
}

}  // namespace

int Capacity::vcpus_limit() const {
  return static_cast<int>(std::floor(static_cast<double>(cpus) * cpu_overcommit));
}

uint64_t Capacity::memory_mib_limit() const {
  return static_cast<uint64_t>(std::floor(static_cast<double>(memory_mib) * memory_overcommit));
}

Status Admit(const Capacity& capacity, std::string_view vm_name, int vcpus, uint64_t memory_mib) {
  const std::string vm = "vm '" + std::string(vm_name) + "' does not fit this node: it asks ";
  int vcpus_free = std::max(0, capacity.vcpus_limit() - capacity.vcpus_allocated);
  if (vcpus > vcpus_free) {
    return ResourceExhausted(vm + std::to_string(vcpus) + " vCPUs, " + std::to_string(vcpus_free) +
                             " of " + std::to_string(capacity.vcpus_limit()) + " are free (" +
                             std::to_string(capacity.cpus) + " CPUs x " +
                             Ratio(capacity.cpu_overcommit) + " overcommit, " +
                             std::to_string(capacity.vcpus_allocated) + " allocated)");
  }
  uint64_t limit = capacity.memory_mib_limit();
  uint64_t memory_free =
      limit > capacity.memory_mib_allocated ? limit - capacity.memory_mib_allocated : 0;
  if (memory_mib > memory_free) {
    return ResourceExhausted(vm + std::to_string(memory_mib) + " MiB of memory, " +
                             std::to_string(memory_free) + " of " + std::to_string(limit) +
                             " MiB are free (" + std::to_string(capacity.memory_mib) + " MiB x " +
                             Ratio(capacity.memory_overcommit) + " overcommit, " +
                             std::to_string(capacity.memory_mib_allocated) + " allocated)");
  }
  return {};
}

}  // namespace novacron::vm
