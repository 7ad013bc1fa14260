#include "dwcp/mode.h"

#include <cctype>
#include <cstdio>
#include <ostream>

namespace novacron::dwcp {

std::string_view NetworkModeName(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kDatacenter:
      return "datacenter";
    case NetworkMode::kInternet:
      return "internet";
    case NetworkMode::kHybrid:
      return "hybrid";
    case NetworkMode::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, NetworkMode mode) { return os << NetworkModeName(mode); }

Result<NetworkMode> ParseNetworkMode(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (NetworkMode mode :
       {NetworkMode::kDatacenter, NetworkMode::kInternet, NetworkMode::kHybrid}) {
    if (lower == NetworkModeName(mode)) return mode;
  }
  return InvalidArgument("network mode '" + std::string(text) +
                         "': expected datacenter, internet or hybrid");
}

Classification ClassifyExplained(std::optional<Duration> latency,
                                 std::optional<double> bandwidth_bps) {
  const bool slow_latency = latency && *latency > kInternetMinLatency;
  const bool slow_bandwidth = bandwidth_bps && *bandwidth_bps < kGigabitPerSecond;
  if (slow_latency && slow_bandwidth) {
    return {NetworkMode::kInternet, "latency > 50 ms and bandwidth < 1 Gbps"};
  }
  if (slow_latency) return {NetworkMode::kInternet, "latency > 50 ms"};
  if (slow_bandwidth) return {NetworkMode::kInternet, "bandwidth < 1 Gbps"};
  if (!latency && !bandwidth_bps) {
    return {NetworkMode::kUnknown, "neither latency nor bandwidth measured"};
  }
  if (!bandwidth_bps) {
    return {NetworkMode::kHybrid,
            "latency <= 50 ms but bandwidth unknown; datacenter needs both measured"};
  }
  if (!latency) {
    return {NetworkMode::kHybrid,
            "bandwidth >= 1 Gbps but latency unknown; datacenter needs both measured"};
  }
  if (*latency<kDatacenterMaxLatency&& * bandwidth_bps> kGigabitPerSecond) {
    return {NetworkMode::kDatacenter, "latency < 10 ms and bandwidth > 1 Gbps"};
  }
  return {NetworkMode::kHybrid, "between the datacenter and internet thresholds"};
}

std::string FormatLatency(Duration latency) {
  const double ms = std::chrono::duration<double, std::milli>(latency).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 1 ? "%.3f ms" : ms < 100 ? "%.2f ms" : "%.0f ms", ms);
  return buf;
}

std::string FormatBandwidth(double bits_per_second) {
  char buf[32];
  if (bits_per_second >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3g Gbps", bits_per_second / 1e9);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g Mbps", bits_per_second / 1e6);
  }
  return buf;
}

}  // namespace novacron::dwcp
