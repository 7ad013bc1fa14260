// metrics: the process and build metrics, and the daemon's readiness as gauges. The registry
// itself is the daemon's (boot metrics are counted from the first component on); /metrics is
// served by the api component.
#pragma once

#include "components/node_component.h"

namespace novacron::components {

class MetricsComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "metrics";
  using NodeComponent::NodeComponent;

  Status Stop(lifecycle::StopContext&) override { return {}; }

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  bool registered_ = false;
};

}  // namespace novacron::components
