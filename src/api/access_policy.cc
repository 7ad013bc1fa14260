#include "api/access_policy.h"

namespace novacron::api {

const std::vector<RouteAccess>& AccessTable() {
  static const std::vector<RouteAccess> kTable = {
      // VMs (docs/api.md)
      {"GET", "/api/v1/vms", Access::kViewer, ""},
      {"POST", "/api/v1/vms", Access::kOperator, "vm.create"},
      {"GET", "/api/v1/vms/{id}", Access::kViewer, ""},
      {"PATCH", "/api/v1/vms/{id}", Access::kOperator, "vm.update"},
      {"DELETE", "/api/v1/vms/{id}", Access::kOperator, "vm.delete"},
      {"POST", "/api/v1/vms/{id}/start", Access::kOperator, "vm.start"},
      {"POST", "/api/v1/vms/{id}/stop", Access::kOperator, "vm.stop"},
      {"POST", "/api/v1/vms/{id}/shutdown", Access::kOperator, "vm.shutdown"},
      {"POST", "/api/v1/vms/{id}/reboot", Access::kOperator, "vm.reboot"},
      // The node and its components
      {"GET", "/api/v1/node", Access::kViewer, ""},
      {"GET", "/api/v1/node/domains", Access::kViewer, ""},
      {"GET", "/api/v1/components", Access::kViewer, ""},
      {"GET", "/api/v1/components/{name}", Access::kViewer, ""},
      // The cluster (docs/api.md, "Cluster")
      {"GET", "/api/v1/cluster", Access::kViewer, ""},
      {"GET", "/api/v1/nodes", Access::kViewer, ""},
      {"GET", "/api/v1/nodes/{id}", Access::kViewer, ""},
      {"GET", "/api/v1/vms/{id}/placement", Access::kViewer, ""},
      {"POST", "/api/v1/nodes/{id}/cordon", Access::kAdmin, "node.cordon"},
      {"POST", "/api/v1/nodes/{id}/uncordon", Access::kAdmin, "node.uncordon"},
      // Administration
      {"GET", "/api/v1/tokens", Access::kAdmin, ""},
      {"POST", "/api/v1/tokens", Access::kAdmin, "token.create"},
      {"DELETE", "/api/v1/tokens/{id}", Access::kAdmin, "token.revoke"},
      {"GET", "/api/v1/config", Access::kAdmin, ""},
      {"GET", "/api/v1/audit", Access::kAdmin, ""},
      // Documents, probes and metrics
      {"GET", "/api/v1/openapi.json", Access::kPublic, ""},
      {"GET", "/health/live", Access::kHealth, ""},
      {"GET", "/live", Access::kHealth, ""},
      {"GET", "/health/ready", Access::kHealth, ""},
      {"GET", "/ready", Access::kHealth, ""},
      {"GET", "/health/startup", Access::kHealth, ""},
      {"GET", "/health/status", Access::kHealth, ""},
      {"GET", "/health", Access::kHealth, ""},
      {"GET", "/metrics", Access::kMetrics, ""},
  };
  return kTable;
}

const RouteAccess* FindAccess(std::string_view method, std::string_view pattern) {
  if (method == "HEAD") method = "GET";
  for (const RouteAccess& entry : AccessTable()) {
    if (entry.method == method && entry.pattern == pattern) return &entry;
  }
  return nullptr;
}

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kHealth:
      return "health";
    case Access::kMetrics:
      return "metrics";
    case Access::kViewer:
      return "viewer";
    case Access::kOperator:
      return "operator";
    case Access::kAdmin:
      return "admin";
  }
  return "admin";
}

security::Role RequiredRole(Access access) {
  switch (access) {
    case Access::kOperator:
      return security::Role::kOperator;
    case Access::kAdmin:
      return security::Role::kAdmin;
    default:
      return security::Role::kViewer;
  }
}

}  // namespace novacron::api
