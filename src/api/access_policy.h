// Who may call which route: the one table the authentication middleware enforces, the OpenAPI
// document declares (x-required-role) and the role-matrix test walks (docs/security.md, "Roles").
// A route missing from the table is refused to everyone but admins, and the API component
// refuses to start while any registered route is missing.
#pragma once

#include <string_view>
#include <vector>

#include "security/role.h"

namespace novacron::api {

enum class Access {
  kPublic,   // anyone (the OpenAPI document)
  kHealth,   // probes: anyone from loopback; elsewhere when api.open_health, else a viewer
  kMetrics,  // /metrics: anyone from loopback; elsewhere when api.open_metrics, else a viewer
  kViewer,
  kOperator,
  kAdmin,
};

struct RouteAccess {
  std::string_view method;   // "GET", "POST", ...
  std::string_view pattern;  // the router's pattern
  Access access;
  std::string_view action;  // audit log name of a state-changing call ("vm.create"); "" for reads
};

// Every route the daemon serves.
const std::vector<RouteAccess>& AccessTable();

// The entry for a matched route (HEAD uses GET's); nullptr when the table lacks it.
const RouteAccess* FindAccess(std::string_view method, std::string_view pattern);

// "public", "health", "metrics", "viewer", "operator", "admin".
std::string_view AccessName(Access access);

// The role a caller needs, for the role-gated kinds.
security::Role RequiredRole(Access access);

}  // namespace novacron::api
