// resources: preflight — CPUs, memory, free disk at the data dir, /dev/kvm — against the
// thresholds of resources.* (profile default or production). While running, its health follows
// the free disk space at the data dir.
#pragma once

#include "components/node_component.h"
#include "node/preflight.h"

namespace novacron::components {

class ResourcesComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "resources";
  using NodeComponent::NodeComponent;

  Status Stop(lifecycle::StopContext&) override { return {}; }
  lifecycle::HealthReport Health() const override;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  node::PreflightThresholds thresholds_;
};

// resources.* with the profile applied, in the preflight's terms.
node::PreflightThresholds PreflightThresholdsFor(const config::Config& config);

}  // namespace novacron::components
