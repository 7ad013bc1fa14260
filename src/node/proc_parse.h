// Parsers for the kernel text files preflight reads (/proc/meminfo, /proc/self/cgroup, cgroup v2
// cpu.max and memory.max). Pure functions over file contents, so tests need no fake files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::node {

struct Meminfo {
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;
};

// Reads MemTotal and MemAvailable (kB) from /proc/meminfo text. Kernels older than 3.14 lack
// MemAvailable; then MemFree + Buffers + Cached stands in for it. `source` names the file in
// error messages.
Result<Meminfo> ParseMeminfo(std::string_view text, std::string_view source);

// The cgroup v2 path of the process ("/system.slice/novacron.service") from the "0::<path>" line
// of /proc/self/cgroup; nullopt on a pure cgroup v1 host.
std::optional<std::string> ParseCgroupV2Path(std::string_view text);

// The CPU limit of a cgroup v2 cpu.max file ("<quota> <period>" or "max <period>") in CPUs,
// e.g. "150000 100000" -> 1.5. nullopt for "max" (no limit) or text that does not parse.
std::optional<double> ParseCgroupCpuMax(std::string_view text);

// A cgroup v2 byte count (memory.max, memory.current): a number, or "max" -> nullopt.
std::optional<uint64_t> ParseCgroupBytes(std::string_view text);

// Reads a whole (small) file. NotFound when missing, PermissionDenied or Internal otherwise;
// messages name the path.
Result<std::string> ReadSmallFile(const std::string& path);

}  // namespace novacron::node
