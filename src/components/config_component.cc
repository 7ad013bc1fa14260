#include "components/config_component.h"

#include <algorithm>
#include <filesystem>

#include "common/private_files.h"
#include "config/resources.h"

namespace novacron::components {
namespace {

bool Inside(const std::string& path, const std::string& dir) {
  return path.empty() || path == dir || path.rfind(dir + "/", 0) == 0;
}

// 0700, except that QEMU under qemu:///system runs as another user (libvirt-qemu) and must pass
// through the data dir to reach VM disks and images kept inside it: then 0711 (search only; the
// files the daemon writes stay 0600, and nobody else can list the directory).
mode_t DataDirMode(const config::Config& config) {
  const std::string& dir = config.system.data_dir;
  bool vm_files_inside = Inside(config.vm.disk_dir, dir) || config.vm.image_dirs.empty() ||
                         std::any_of(config.vm.image_dirs.begin(), config.vm.image_dirs.end(),
                                     [&](const std::string& d) { return Inside(d, dir); });
  return vm_files_inside && config.vm.hypervisor_uri.rfind("qemu:///system", 0) == 0 ? 0711 : 0700;
}

}  // namespace

Status ConfigComponent::DoStart(lifecycle::StartContext&) {
  const config::LoadedConfig& loaded = runtime().loaded;
  std::vector<config::ConfigIssue> issues = config::CheckResources(loaded);
  for (const auto& issue : issues) {
    if (issue.severity == config::Severity::kWarning) {
      log().Warn("configuration warning", {{"issue", config::FormatIssue(issue)}});
    }
  }
  NOVACRON_RETURN_IF_ERROR(config::IssuesToStatus(issues));

  const std::string& dir = loaded.config.system.data_dir;
  if (Status created = EnsurePrivateDir(dir, DataDirMode(loaded.config)); !created.ok()) {
    return Status(created.code(), "data dir: " + created.message());
  }
  log().Info("configuration ready", {{"data_dir", dir}, {"node_id", loaded.config.system.node_id}});
  return {};
}

}  // namespace novacron::components
