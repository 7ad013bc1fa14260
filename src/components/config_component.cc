#include "components/config_component.h"

#include <filesystem>

#include "config/resources.h"

namespace novacron::components {

Status ConfigComponent::DoStart(lifecycle::StartContext&) {
  const config::LoadedConfig& loaded = runtime().loaded;
  std::vector<config::ConfigIssue> issues = config::CheckResources(loaded);
  for (const auto& issue : issues) {
    if (issue.severity == config::Severity::kWarning) {
      log().Warn("configuration warning", {{"issue", config::FormatIssue(issue)}});
    }
  }
  NOVACRON_RETURN_IF_ERROR(config::IssuesToStatus(issues));

  std::error_code ec;
  const std::string& dir = loaded.config.system.data_dir;
  std::filesystem::create_directories(dir, ec);
  if (ec) return FailedPrecondition("cannot create data dir " + dir + ": " + ec.message());
  log().Info("configuration ready", {{"data_dir", dir}, {"node_id", loaded.config.system.node_id}});
  return {};
}

}  // namespace novacron::components
