#include "components/environment_component.h"

#include "dwcp/mode.h"

namespace novacron::components {
namespace {

std::optional<dwcp::NetworkMode> ForcedMode(const config::DwcpConfig& dwcp) {
  switch (dwcp.forced_mode) {
    case config::DwcpMode::kAuto:
      return std::nullopt;
    case config::DwcpMode::kDatacenter:
      return dwcp::NetworkMode::kDatacenter;
    case config::DwcpMode::kInternet:
      return dwcp::NetworkMode::kInternet;
    case config::DwcpMode::kHybrid:
      return dwcp::NetworkMode::kHybrid;
  }
  return std::nullopt;
}

constexpr dwcp::NetworkMode kAllModes[] = {dwcp::NetworkMode::kDatacenter,
                                           dwcp::NetworkMode::kInternet, dwcp::NetworkMode::kHybrid,
                                           dwcp::NetworkMode::kUnknown};

}  // namespace

Status EnvironmentComponent::DoStart(lifecycle::StartContext&) {
  const config::DwcpConfig& dwcp = config().dwcp;
  dwcp::ModeDetectorOptions options;
  options.forced_mode = ForcedMode(dwcp);
  bool detection_off = !options.forced_mode && !dwcp.enable_auto_detection;
  if (detection_off) {
    // Detection off and nothing forced: the documented default mode, said as such.
    options.forced_mode = dwcp::NetworkMode::kHybrid;
  }
  options.peers = dwcp.detection_peers;
  options.timeout = dwcp.detection_timeout;
  options.interval = dwcp.detection_interval;
  auto detector = dwcp::ModeDetector::Create(std::move(options));
  if (!detector.ok()) return detector.status();
  detector_ = std::move(*detector);

  auto gauge = runtime().metrics.RegisterGauge(
      "novacron_dwcp_network_mode", "1 for the DWCP network mode in effect, 0 for the others.",
      {"mode"});
  if (!gauge.ok()) return gauge.status();
  mode_gauge_ = *gauge;

  auto publish = [gauge = mode_gauge_](const dwcp::Detection& d) {
    for (dwcp::NetworkMode m : kAllModes) {
      gauge->WithLabels({dwcp::NetworkModeName(m)}).Set(m == d.mode ? 1 : 0);
    }
  };
  dwcp::Detection first = detector_->DetectOnce();
  publish(first);
  std::string reason =
      detection_off ? "dwcp.enable_auto_detection is false; using the default mode" : first.reason;
  log().Info("network mode",
             {{"mode", dwcp::NetworkModeName(first.mode)},
              {"reason", reason},
              {"took_ms", std::chrono::duration<double, std::milli>(first.duration).count()}});
  observe::Logger logger = log();
  return detector_->Start(
      [logger, publish](dwcp::NetworkMode previous, const dwcp::Detection& now) {
        publish(now);
        logger.Warn("network mode changed", {{"from", dwcp::NetworkModeName(previous)},
                                             {"to", dwcp::NetworkModeName(now.mode)},
                                             {"reason", now.reason}});
      });
}

Status EnvironmentComponent::Stop(lifecycle::StopContext&) {
  if (detector_) detector_->Stop();
  return {};
}

dwcp::Detection EnvironmentComponent::Current() const {
  return detector_ ? detector_->Current() : dwcp::Detection{};
}

lifecycle::HealthReport EnvironmentComponent::Health() const {
  dwcp::Detection d = Current();
  return {lifecycle::HealthReport::kHealthy,
          std::string(dwcp::NetworkModeName(d.mode)) + ": " + d.reason};
}

}  // namespace novacron::components
