// environment: the DWCP network mode (datacenter / internet / hybrid), forced by configuration or
// measured against dwcp.detection_peers, and re-detected every dwcp.detection_interval.
#pragma once

#include <memory>

#include "components/node_component.h"
#include "dwcp/mode_detector.h"

namespace novacron::components {

class EnvironmentComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "environment";
  using NodeComponent::NodeComponent;

  // The last adopted detection (thread-safe).
  dwcp::Detection Current() const;

  Status Stop(lifecycle::StopContext& ctx) override;
  lifecycle::HealthReport Health() const override;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  std::unique_ptr<dwcp::ModeDetector> detector_;
  observe::GaugeFamily* mode_gauge_ = nullptr;
};

}  // namespace novacron::components
