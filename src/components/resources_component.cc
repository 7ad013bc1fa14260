#include "components/resources_component.h"

#include <sys/statvfs.h>

#include "config/resources.h"

namespace novacron::components {

node::PreflightThresholds PreflightThresholdsFor(const config::Config& config) {
  config::ResourceThresholds t = config::ResolveResourceThresholds(config.resources);
  return {t.min_cpus, t.min_memory_mib, t.min_disk_free_mib, t.require_kvm};
}

Status ResourcesComponent::DoStart(lifecycle::StartContext&) {
  thresholds_ = PreflightThresholdsFor(config());
  node::PreflightReport report = node::RunPreflight(thresholds_, config().system.data_dir);
  for (const node::CheckResult& check : report.checks) {
    observe::Fields fields{{"check", check.name},
                           {"status", node::CheckStatusName(check.status)},
                           {"observed", check.observed}};
    if (!check.required.empty()) fields.push_back({"required", check.required});
    if (!check.detail.empty()) fields.push_back({"detail", check.detail});
    if (check.status == node::CheckResult::kFail) {
      log().Error("preflight check failed", fields);
    } else if (check.status == node::CheckResult::kWarn) {
      log().Warn("preflight check warning", fields);
    } else {
      log().Debug("preflight check passed", fields);
    }
  }
  return report.ToStatus();
}

lifecycle::HealthReport ResourcesComponent::Health() const {
  // statvfs is cheap: the disk can fill up long after the preflight passed.
  struct statvfs fs {};
  if (statvfs(config().system.data_dir.c_str(), &fs) != 0) {
    return lifecycle::HealthReport::Unhealthy("cannot stat data dir " + config().system.data_dir);
  }
  uint64_t free_mib = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize / (1024 * 1024);
  std::string detail = std::to_string(free_mib) + " MiB free at the data dir";
  if (free_mib < thresholds_.min_disk_free_mib) {
    return lifecycle::HealthReport::Unhealthy(detail + ", below resources.min_disk_free_mib " +
                                              std::to_string(thresholds_.min_disk_free_mib));
  }
  return {lifecycle::HealthReport::kHealthy, detail};
}

}  // namespace novacron::components
