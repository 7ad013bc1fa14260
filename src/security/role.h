// The API's roles, weakest first: viewer reads, operator also acts on VMs, admin also manages
// tokens, configuration and the audit log (docs/security.md, "Roles").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace novacron::security {

enum class Role { kViewer = 0, kOperator = 1, kAdmin = 2 };

std::string_view RoleName(Role role);
// "viewer", "operator", "admin"; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);
// Whether a caller holding `held` may do what needs `needed`.
inline bool RoleAllows(Role held, Role needed) {
  return static_cast<int>(held) >= static_cast<int>(needed);
}

// Who made a request, once authenticated.
struct Principal {
  std::string_view kind;  // "token", "certificate", "config" (security.api_token), "loopback"
  std::string identity;   // token id, certificate CN, ...
  std::string name;       // token name or certificate CN, for logs and the audit log
  Role role = Role::kViewer;
};

}  // namespace novacron::security
