// `novacron vm create` flags -> the VM spec JSON of the API (vm::ToJson field names). Only the
// shape is checked here; the daemon validates the values and reports every bad field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace novacron::cli {

struct VmSpecFlags {
  std::string name;
  std::optional<int> vcpus;
  std::string memory;              // "512M", "1G", "2048" (MiB); empty: the daemon's default
  std::vector<std::string> disks;  // "base=/img.qcow2", "size=10G", optionally ",target=vdb"
  std::string network;             // "default", "network:NAME", "bridge:br0", "none"
  std::string kernel;
  std::string initrd;
  std::string cmdline;
  bool serial_log = false;          // the daemon chooses the file (docs/api.md)
  std::vector<std::string> labels;  // "k=v"
  // Cluster mode (docs/cluster.md): restart elsewhere when the node is lost; node labels ("k=v")
  // the VM's node must have.
  bool ha = false;
  std::vector<std::string> node_selector;
};

// A size in MiB: a bare number is MiB; units K/KiB, M/MiB, G/GiB, T/TiB are powers of 1024
// (k, m, g, t too) and KB, MB, GB, TB powers of 1000. The result must be a whole, positive
// number of MiB.
Result<uint64_t> ParseSizeMib(std::string_view text);

// "base=/img.qcow2[,target=vda]" or "size=10G[,target=vdb]" -> {"base_image": ...} /
// {"size_mib": ...}.
Result<nlohmann::json> ParseDiskFlag(std::string_view text);

// "default" or "network:NAME" -> libvirt network; "bridge:br0" -> host bridge; "none".
Result<nlohmann::json> ParseNetworkFlag(std::string_view text);

// The spec document for the flags; kInvalidArgument naming the flag ("--disk 'x': ...").
Result<nlohmann::json> SpecFromFlags(const VmSpecFlags& flags);

// A spec from `-f`: must be a JSON object. `source` names it in errors ("spec.json", "stdin").
Result<nlohmann::json> ParseSpecDocument(std::string_view text, std::string_view source);

}  // namespace novacron::cli
