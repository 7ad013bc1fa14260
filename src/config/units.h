// Text forms of durations, byte sizes and host:port pairs, shared by the config loader and
// anything else that takes them from a user.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/host_port.h"
#include "common/status.h"

namespace novacron::config {

// "500ms", "30s", "5m", "24h", "90d" and concatenations such as "1m30s" or "1h0m5s"; "0" alone is
// zero. Units: ms, s, m, h, d. No signs, fractions or spaces inside.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// The canonical form ParseDuration reads back: largest units first ("1d", "1m30s", "500ms",
// "0s"). Negative durations are formatted with a leading '-' (ParseDuration rejects them).
std::string FormatDuration(std::chrono::milliseconds d);

// Plain bytes ("1024"), or a number and a unit, optionally separated by a space: B, KiB, MiB,
// GiB, TiB (powers of 1024) and KB, MB, GB, TB (powers of 1000). Units are case-sensitive.
Result<int64_t> ParseSize(std::string_view text);
// The largest binary unit that divides the value exactly: "1MiB", "16KiB", "1500".
std::string FormatSize(int64_t bytes);

struct HostPort {
  std::string host;         // empty for ":8080"; IPv6 without brackets
  std::optional<int> port;  // absent for "HOST" and "[::1]"
};
// "host:8080", "1.2.3.4:80", "[::1]:8080", ":8080", "host", "[::1]", and a bare IPv6 address
// ("::1", which has no port). The port must be 0..65535.
Result<HostPort> ParseHostPort(std::string_view text);
// "host:port", with brackets around IPv6 addresses.
using novacron::FormatHostPort;

}  // namespace novacron::config
