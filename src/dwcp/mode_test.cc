#include "dwcp/mode.h"

#include <gtest/gtest.h>

#include <sstream>

namespace novacron::dwcp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr double kGbps = 1e9;

struct Case {
  std::optional<Duration> latency;
  std::optional<double> bandwidth;
  NetworkMode want;
};

TEST(ClassifyTest, Table) {
  const NetworkMode dc = NetworkMode::kDatacenter, inet = NetworkMode::kInternet,
                    hybrid = NetworkMode::kHybrid, unknown = NetworkMode::kUnknown;
  const Case cases[] = {
      // Both measured.
      {microseconds(200), 10 * kGbps, dc},
      {milliseconds(10) - nanoseconds(1), kGbps + 1, dc},  // just inside both
      {milliseconds(10), 10 * kGbps, hybrid},              // 10 ms is not < 10 ms
      {microseconds(200), kGbps, hybrid},                  // 1 Gbps is not > 1 Gbps
      {microseconds(200), kGbps - 1, inet},                // ... but just below is internet
      {milliseconds(30), 10 * kGbps, hybrid},
      {milliseconds(50), 10 * kGbps, hybrid},                 // 50 ms is not > 50 ms
      {milliseconds(50) + nanoseconds(1), 10 * kGbps, inet},  // just above
      {milliseconds(120), 100e6, inet},
      // Latency only: never datacenter.
      {microseconds(200), std::nullopt, hybrid},
      {milliseconds(50), std::nullopt, hybrid},
      {milliseconds(51), std::nullopt, inet},
      // Bandwidth only.
      {std::nullopt, 100e6, inet},
      {std::nullopt, kGbps, hybrid},
      {std::nullopt, 40 * kGbps, hybrid},
      // Nothing.
      {std::nullopt, std::nullopt, unknown},
  };
  for (const Case& c : cases) {
    const auto latency_ns = c.latency ? std::to_string(c.latency->count()) + " ns" : "none";
    const auto bw = c.bandwidth ? std::to_string(*c.bandwidth) + " bps" : "none";
    EXPECT_EQ(Classify(c.latency, c.bandwidth), c.want) << "latency " << latency_ns << ", " << bw;
  }
}

TEST(ClassifyTest, RuleExplainsTheDecision) {
  EXPECT_EQ(ClassifyExplained(milliseconds(80), std::nullopt).rule, "latency > 50 ms");
  EXPECT_EQ(ClassifyExplained(milliseconds(1), 1e8).rule, "bandwidth < 1 Gbps");
  EXPECT_NE(ClassifyExplained(milliseconds(1), std::nullopt).rule.find("bandwidth unknown"),
            std::string::npos);
  EXPECT_EQ(ClassifyExplained(milliseconds(1), 1e10).rule,
            "latency < 10 ms and bandwidth > 1 Gbps");
}

TEST(NetworkModeTest, NamesRoundTrip) {
  for (NetworkMode m : {NetworkMode::kDatacenter, NetworkMode::kInternet, NetworkMode::kHybrid}) {
    const auto parsed = ParseNetworkMode(NetworkModeName(m));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_EQ(NetworkModeName(NetworkMode::kUnknown), "unknown");
  std::ostringstream os;
  os << NetworkMode::kInternet;
  EXPECT_EQ(os.str(), "internet");
}

TEST(NetworkModeTest, ParseIsCaseInsensitiveAndRejectsOthers) {
  EXPECT_EQ(*ParseNetworkMode("DataCenter"), NetworkMode::kDatacenter);
  for (const char* bad : {"", "unknown", "lan", "datacenter "}) {
    const auto parsed = ParseNetworkMode(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("expected datacenter, internet or hybrid"),
              std::string::npos);
  }
}

TEST(FormatTest, LatencyAndBandwidth) {
  EXPECT_EQ(FormatLatency(microseconds(213)), "0.213 ms");
  EXPECT_EQ(FormatLatency(microseconds(12500)), "12.50 ms");
  EXPECT_EQ(FormatLatency(milliseconds(2000)), "2000 ms");
  EXPECT_EQ(FormatBandwidth(9.4e9), "9.4 Gbps");
  EXPECT_EQ(FormatBandwidth(940e6), "940 Mbps");
}

}  // namespace
}  // namespace novacron::dwcp
