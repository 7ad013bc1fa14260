// DWCP network modes and the rule that picks one from measurements (docs/architecture.md, "DWCP
// network modes"):
//   datacenter  when latency < 10 ms AND bandwidth > 1 Gbps
//   internet    when latency > 50 ms OR  bandwidth < 1 Gbps
//   hybrid      otherwise
// The boundaries themselves (10 ms, 50 ms, exactly 1 Gbps) are hybrid.
//
// Missing measurements (the rule chosen here): a condition is only evaluated on data that was
// measured, and datacenter needs BOTH measurements. So
//   latency only:   > 50 ms -> internet; otherwise hybrid ("bandwidth unknown"), even at 0.1 ms,
//                   because a fast LAN hop says nothing about a 100 Mbps link;
//   bandwidth only: < 1 Gbps -> internet; otherwise hybrid ("latency unknown");
//   neither:        unknown (the caller picks its default; ModeDetector uses hybrid).
// Hybrid is the safe middle: it neither assumes datacenter-grade links nor gives up on them.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::dwcp {

using Duration = std::chrono::nanoseconds;

enum class NetworkMode { kDatacenter, kInternet, kHybrid, kUnknown };

inline constexpr Duration kDatacenterMaxLatency = std::chrono::milliseconds(10);  // exclusive
inline constexpr Duration kInternetMinLatency = std::chrono::milliseconds(50);    // exclusive
inline constexpr double kGigabitPerSecond = 1e9;  // bits/s; datacenter above, internet below

// "datacenter", "internet", "hybrid", "unknown".
std::string_view NetworkModeName(NetworkMode mode);
std::ostream& operator<<(std::ostream& os, NetworkMode mode);

// Parses a configured mode (dwcp.forced_mode, NOVACRON_DWCP_MODE): "datacenter", "internet" or
// "hybrid", case-insensitive. "unknown" and "" are not modes one can force: InvalidArgument.
Result<NetworkMode> ParseNetworkMode(std::string_view text);

struct Classification {
  NetworkMode mode = NetworkMode::kUnknown;
  std::string rule;  // which rule applied, e.g. "latency > 50 ms"
};

// Applies the rule above. `bandwidth_bps` is in bits per second.
Classification ClassifyExplained(std::optional<Duration> latency,
                                 std::optional<double> bandwidth_bps);
inline NetworkMode Classify(std::optional<Duration> latency, std::optional<double> bandwidth_bps) {
  return ClassifyExplained(latency, bandwidth_bps).mode;
}

// "0.213 ms", "12.50 ms", "143 ms": RTTs for humans.
std::string FormatLatency(Duration latency);
// "940 Mbps", "9.4 Gbps".
std::string FormatBandwidth(double bits_per_second);

}  // namespace novacron::dwcp
