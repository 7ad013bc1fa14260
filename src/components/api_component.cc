#include "components/api_component.h"

#include <algorithm>
#include <filesystem>

#include "api/api_v1.h"
#include "common/atomic_file.h"
#include "common/host_port.h"
#include "components/audit_routes_glue.h"
#include "components/database_component.h"
#include "components/security_component.h"
#include "components/vm_manager_component.h"
#include "http/internal_error.h"
#include "lifecycle/engine.h"

namespace novacron::components {
std::string ApiAddressFile(const config::Config& config) {
  return (std::filesystem::path(config.system.data_dir) / "api.addr").string();
}

Status ApiComponent::DoStart(lifecycle::StartContext& ctx) {
  const config::ApiConfig& api = config().api;
  routes_.engine = runtime().engine;
  routes_.metrics = &runtime().metrics;
  routes_.node_id = config().system.node_id;
  routes_.version = runtime().version;
  auto healthy = runtime().metrics.RegisterGauge("novacron_component_healthy",
                                                 "1 when the component runs and is not unhealthy.",
                                                 {"component"});
  if (!healthy.ok()) return healthy.status();
  routes_.component_healthy = *healthy;

  http::Router router;
  AddHealthRoutes(router, routes_);
  store_ = ctx.Dep<DatabaseComponent>().store();
  vm::VmManager* manager = ctx.Dep<VmManagerComponent>().manager();
  if (!store_ || manager == nullptr) return FailedPrecondition("vm manager is not running");
  api::ApiV1Deps v1;
  v1.manager = manager;
  v1.idempotency = &store_->vms();
  v1.log = log();
  api::AddApiV1Routes(router, v1);
  std::shared_ptr<security::AuditLog> audit = ctx.Dep<SecurityComponent>().audit();
  if (!audit) return FailedPrecondition("security (audit log) is not running");
  NOVACRON_RETURN_IF_ERROR(
      InstallSecurity(router, AuditSinkFor(audit), PeerCertificateIdentity,
                      [dir = audit->dir()](int limit) { return RecentAuditJson(dir, limit); }));
  // 500 answers carry only a request id; the detail is logged under it (http/internal_error.h).
  http::SetInternalErrorReporter([log = log()](std::string_view id, std::string_view detail) {
    log.Error("internal error", {{"request_id", std::string(id)}, {"error", std::string(detail)}});
  });
  http::ServerOptions options;
  options.host = api.host;
  options.port = static_cast<uint16_t>(api.port);
  options.max_body_bytes = api.max_body_bytes;
  options.max_header_bytes = api.max_header_bytes;
  options.max_connections_per_client = api.max_connections_per_client;
  tls_.reset();  // a retried start: unregister the previous attempt's reload handler first
  NOVACRON_ASSIGN_OR_RETURN(tls_, ApiTls::Create(runtime(), log()));
  if (tls_) options.tls = tls_->source();
  auto server = std::make_unique<http::HttpServer>(options, std::move(router));
  NOVACRON_RETURN_IF_ERROR(server->Start());
  server_ = std::move(server);
  runtime().reloads.Register(
      "api.server", [server = server_.get()](const config::Config& next,
                                             const std::vector<std::string>& changed) {
        std::vector<std::string> applied;
        if (std::find(changed.begin(), changed.end(), "api.max_connections_per_client") !=
            changed.end()) {
          server->SetMaxConnectionsPerClient(next.api.max_connections_per_client);
          applied.push_back("api.max_connections_per_client");
        }
        return applied;
      });

  std::string address = FormatHostPort(api.host, server_->port());
  // The scheme tells the CLI to speak HTTPS (cli/daemon_address.h).
  std::string scheme = tls_ ? "https://" : "";
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(ApiAddressFile(config()), scheme + address + "\n",
                                               {.mode = 0600, .overwrite = true}));
  log().Info("api listening", {{"address", address}});
  return {};
}

Status ApiComponent::Stop(lifecycle::StopContext& ctx) {
  runtime().reloads.Unregister("api.guard");
  runtime().reloads.Unregister("api.server");  // before the server it points to goes
  std::error_code ignored;
  std::filesystem::remove(ApiAddressFile(config()), ignored);
  if (server_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline() -
                                                                      lifecycle::Clock::now());
    server_->Stop(std::max(left - std::chrono::milliseconds(200), std::chrono::milliseconds(0)));
    server_.reset();
  }
  tls_.reset();
  http::SetInternalErrorReporter(nullptr);
  store_.reset();
  return {};
}

}  // namespace novacron::components
