// The API component's security wiring (docs/security.md): token authenticator, admin routes,
// the guard middleware chain, and the SIGHUP handler for the API's reloadable keys.
#include "api/access_policy.h"
#include "api/admin_routes.h"
#include "components/api_component.h"
#include "config/render.h"

namespace novacron::components {
namespace {

api::GuardSettings SettingsOf(const config::Config& config) {
  api::GuardSettings settings;
  settings.rate_limit = config.api.rate_limit;
  settings.cors_allowed_origins = config.api.cors_allowed_origins;
  settings.open_health = config.api.open_health;
  settings.open_metrics = config.api.open_metrics;
  return settings;
}

api::AuthMode AuthModeOf(const config::SecurityConfig& security) {
  if (!security.enable_auth) return api::AuthMode::kNone;
  return security.auth_method == config::AuthMethod::kMtls ? api::AuthMode::kMtls
                                                           : api::AuthMode::kToken;
}

}  // namespace

std::optional<security::Principal> PeerCertificateIdentity(const http::Request& request) {
  if (request.peer_identity.empty()) return std::nullopt;
  // The strongest role among the certificate's O= values (docs/security.md, "mTLS identities").
  std::optional<security::Role> best;
  for (const std::string& name : request.peer_roles) {
    std::optional<security::Role> role = security::ParseRole(name);
    if (role && (!best || security::RoleAllows(*role, *best))) best = role;
  }
  if (!best) return std::nullopt;
  return security::Principal{"certificate", request.peer_identity, request.peer_identity, *best};
}

Status ApiComponent::InstallSecurity(http::Router& router, api::AuditSink audit,
                                     api::PeerIdentity peer_identity,
                                     std::function<Result<std::string>(int)> audit_json) {
  const config::Config& config = this->config();
  security::TokenAuthenticator::Options token_options;
  token_options.config_token = config.security.api_token;
  authenticator_ =
      std::make_unique<security::TokenAuthenticator>(store_->tokens(), std::move(token_options));

  api::AdminDeps admin;
  admin.tokens = &store_->tokens();
  admin.authenticator = authenticator_.get();
  admin.config_json = [&loaded = runtime().loaded] {
    return config::RenderConfig(loaded, config::Format::kJson, /*with_sources=*/false);
  };
  admin.audit_json = std::move(audit_json);
  admin.log = log();
  api::AddAdminRoutes(router, std::move(admin));

  api::GuardOptions options;
  options.mode = AuthModeOf(config.security);
  options.tokens = authenticator_.get();
  options.peer_identity = std::move(peer_identity);
  options.metrics = &runtime().metrics;
  options.audit = std::move(audit);
  options.log = log();
  options.tls = !config.security.tls.cert_file.empty();
  options.settings = SettingsOf(config);
  NOVACRON_ASSIGN_OR_RETURN(guard_, api::ApiGuard::Create(std::move(options)));
  guard_->Install(router);
  NOVACRON_RETURN_IF_ERROR(api::ApiGuard::CheckRoutesCovered(router));

  runtime().reloads.Register(
      "api.guard",
      [guard = guard_](const config::Config& next, const std::vector<std::string>& changed) {
        std::vector<std::string> applied;
        for (const std::string& key : changed) {
          if (key == "api.rate_limit" || key == "api.cors_allowed_origins" ||
              key == "api.open_health" || key == "api.open_metrics") {
            applied.push_back(key);
          }
        }
        if (!applied.empty()) guard->Apply(SettingsOf(next));
        return applied;
      });
  return Status::Ok();
}

}  // namespace novacron::components
