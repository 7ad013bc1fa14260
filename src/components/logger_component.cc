#include "components/logger_component.h"

namespace novacron::components {

observe::Level ToLogLevel(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kDebug:
      return observe::Level::kDebug;
    case config::LogLevel::kInfo:
      return observe::Level::kInfo;
    case config::LogLevel::kWarn:
      return observe::Level::kWarn;
    case config::LogLevel::kError:
      return observe::Level::kError;
  }
  return observe::Level::kInfo;
}

observe::Logger MakeConfiguredLogger(const config::Config& config) {
  observe::LogOptions options;
  options.level = ToLogLevel(config.system.log_level);
  switch (config.system.log_format) {
    case config::LogFormat::kAuto:
      options.format = observe::LogFormat::kAuto;
      break;
    case config::LogFormat::kJson:
      options.format = observe::LogFormat::kJson;
      break;
    case config::LogFormat::kText:
      options.format = observe::LogFormat::kText;
      break;
  }
  options.node_id = config.system.node_id;
  return observe::Logger(std::move(options));
}

Status LoggerComponent::DoStart(lifecycle::StartContext&) {
  runtime().logs.Set(MakeConfiguredLogger(config()));
  log().Info("logging configured", {{"log_level", config::ToString(config().system.log_level)},
                                    {"format", config::ToString(config().system.log_format)}});
  return {};
}

}  // namespace novacron::components
