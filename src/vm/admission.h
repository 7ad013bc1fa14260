// Admission control: whether a VM fits the node, given the host's CPUs and memory, the
// overcommit ratios, and what the node's other VMs already hold.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "vm/vm_spec.h"

namespace novacron::vm {

struct Capacity {
  int cpus = 0;                    // host logical CPUs
  uint64_t memory_mib = 0;         // host memory
  double cpu_overcommit = 4.0;     // vCPUs per CPU
  double memory_overcommit = 1.0;  // VM memory per host memory
  int vcpus_allocated = 0;         // held by the node's VMs (all but the one being admitted)
  uint64_t memory_mib_allocated = 0;

  int vcpus_limit() const;
  uint64_t memory_mib_limit() const;
};

// OK when `vcpus` / `memory_mib` fit beside what is allocated; otherwise kResourceExhausted
// naming the VM, the resource, what it asks and what is free, e.g. "vm 'web1' does not fit:
// it asks 8 vCPUs, 2 of 16 are free (4 CPUs x 4.00 overcommit, 14 allocated)".
Status Admit(const Capacity& capacity, std::string_view vm_name, int vcpus, uint64_t memory_mib);

}  // namespace novacron::vm
