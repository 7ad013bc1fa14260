// logger: replaces the bootstrap logger with the configured one (level, format, node id on
// every line). Its level follows SIGHUP reloads.
#pragma once

#include "components/node_component.h"

namespace novacron::components {

class LoggerComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "logger";
  using NodeComponent::NodeComponent;

  Status Stop(lifecycle::StopContext&) override { return {}; }

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;
};

// The logger the configuration asks for, writing to stderr.
observe::Logger MakeConfiguredLogger(const config::Config& config);

// Maps config enums to the logger's.
observe::Level ToLogLevel(config::LogLevel level);

}  // namespace novacron::components
