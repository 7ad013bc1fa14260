// The desired shape of one VM, as the API receives it (JSON field names from issue 3), with
// validation that reports every bad field at once by its path (e.g. `disks[1].base_image`).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace novacron::vm {

inline constexpr int kMinVcpus = 1;
inline constexpr int kMaxVcpus = 256;
inline constexpr uint64_t kMinMemoryMib = 16;
inline constexpr uint64_t kMaxMemoryMib = 4194304;     // 4 TiB
inline constexpr uint64_t kMaxDiskSizeMib = 67108864;  // 64 TiB
inline constexpr size_t kMaxDisks = 16;
inline constexpr size_t kMaxLabels = 64;
inline constexpr size_t kMaxPathLength = 4096;
inline constexpr size_t kMaxCmdlineLength = 4096;

// One bad field: `field` is its path in the JSON document ("disks[1].base_image").
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// A disk is either a qcow2 overlay on `base_image` or a blank qcow2 disk of `size_mib`.
struct DiskSpec {
  std::string base_image;            // absolute path; empty for a blank disk
  std::optional<uint64_t> size_mib;  // set only for a blank disk
  std::string target;  // "vda".."vdz"; empty: assigned in order when the domain is built
  bool operator==(const DiskSpec&) const = default;
};

enum class NetworkType { kNone, kNetwork, kBridge };
std::string_view NetworkTypeName(NetworkType type);

struct NetworkSpec {
  NetworkType type = NetworkType::kNone;
  std::string source;  // libvirt network name (kNetwork) or host bridge (kBridge); empty for kNone
  bool operator==(const NetworkSpec&) const = default;
};

struct VmSpec {
  std::string name;
  int vcpus = 1;
  uint64_t memory_mib = 512;
  std::vector<DiskSpec> disks;
  NetworkSpec network;  // omitted in JSON: no network
  // Direct kernel boot: all empty means boot from the first disk.
  std::string kernel;
  std::string initrd;
  std::string cmdline;
  // The serial console goes to a log file the daemon places in the VM's own directory
  // (`<disk_dir>/<uuid>/serial.log`); false: a pty console. A spec never names the path.
  bool serial_log = false;
  std::map<std::string, std::string> labels;
  // Cluster mode: restart the VM on another node when its node is lost (docs/cluster.md, "HA
  // failover").
  bool ha = false;
  // Cluster mode: every pair must be a label of the node it is placed on.
  std::map<std::string, std::string> node_selector;
  bool operator==(const VmSpec&) const = default;
};

// Every rule a spec must satisfy, whatever it was built from. Empty when the spec is valid.
std::vector<FieldError> ValidateVmSpec(const VmSpec& spec);

// Parses and validates a spec. Unknown fields and wrong types are errors. On failure the status
// is kInvalidArgument with every error in its message ("vm spec: vcpus: ...; disks[0].x: ...")
// and, when `errors` is given, the same errors one by one.
Result<VmSpec> ParseVmSpec(const nlohmann::json& doc, std::vector<FieldError>* errors = nullptr);
Result<VmSpec> ParseVmSpecJson(std::string_view text, std::vector<FieldError>* errors = nullptr);

// The canonical JSON of a spec (optional fields omitted when empty); parses back to `spec`.
nlohmann::json ToJson(const VmSpec& spec);

// Name rules, shared with the domain XML generator and the API.
bool IsValidVmName(std::string_view name);  // 1-63 chars, [A-Za-z0-9][A-Za-z0-9._-]*
// Empty when `path` is an absolute path without NUL/control characters or "." / ".." parts.
std::string CheckAbsolutePath(std::string_view path);
std::string FormatFieldErrors(const std::vector<FieldError>& errors);

}  // namespace novacron::vm
