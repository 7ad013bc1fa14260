// config: the configuration was parsed and validated (schema, constraints) before the boot; this
// component runs the third level — what the machine must offer — and creates the data dir.
#pragma once

#include "components/node_component.h"

namespace novacron::components {

class ConfigComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "config";
  using NodeComponent::NodeComponent;

  const config::LoadedConfig& loaded() const { return runtime().loaded; }
  Status Stop(lifecycle::StopContext&) override { return {}; }

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;
};

}  // namespace novacron::components
