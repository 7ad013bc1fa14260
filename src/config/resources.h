// Level-3 validation (what the machine must offer for this configuration) and the effective
// preflight thresholds. Run by the daemon at boot and by `novacron config validate`.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.h"
#include "config/issue.h"
#include "config/loader.h"

namespace novacron::config {

// resources.* with the profile applied: default = 1 CPU, 512 MiB memory, 256 MiB free disk, KVM
// optional; production = 4 CPUs, 8192 MiB, 51200 MiB, KVM required. A non-zero min_* and a
// require_kvm other than auto override the profile. Same shape as node::PreflightThresholds.
struct ResourceThresholds {
  int min_cpus = 1;
  uint64_t min_memory_mib = 512;
  uint64_t min_disk_free_mib = 256;
  bool require_kvm = false;
};
ResourceThresholds ResolveResourceThresholds(const ResourcesConfig& resources);

struct ResourceCheckOptions {
  // Try to bind the API and data-plane ports (closed again at once). A port in use is a warning:
  // it may be this node's own daemon.
  bool check_ports = true;
};

// data_dir exists and is a writable directory, or can be created (its nearest existing parent is
// a writable directory); TLS files (also etcd's in etcd mode) are readable when TLS is on; listener
// addresses are local and their ports free. Issues name the key and where its value came from.
std::vector<ConfigIssue> CheckResources(const LoadedConfig& loaded,
                                        const ResourceCheckOptions& options = {});

}  // namespace novacron::config
