#include "components/api_component.h"

#include <algorithm>
#include <filesystem>

#include "api/api_v1.h"
#include "api/cluster_routes.h"
#include "common/atomic_file.h"
#include "common/host_port.h"
#include "components/audit_routes_glue.h"
#include "components/cluster_component.h"
#include "components/database_component.h"
#include "components/environment_component.h"
#include "components/orchestrator_component.h"
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
  v1.reads_stale = [store = store_.get()] { return store->ServingStaleReads(); };
  v1.log = log();
  api::AddApiV1Routes(router, v1);
  api::ClusterRoutesDeps cluster_routes;
  cluster_routes.node_id = config().system.node_id;
  cluster_routes.log = log();
  if (ClusterComponent* cluster = ctx.OptionalDep<ClusterComponent>();
      cluster != nullptr && cluster->agent() != nullptr) {
    cluster_routes.agent = cluster->agent();
    cluster_routes.etcd_health = [cluster] { return cluster->EtcdHealth(); };
    if (OrchestratorComponent* orchestrator = ctx.OptionalDep<OrchestratorComponent>()) {
      cluster_routes.explain_placement = [orchestrator](const std::string& id) {
        return orchestrator->ExplainPlacement(id);
      };
    }
  } else {
    const EnvironmentComponent* environment = ctx.OptionalDep<EnvironmentComponent>();
    cluster_routes.self = [this, manager, environment]() -> Result<cluster::NodeRecord> {
      return DescribeThisNode(runtime(), manager, environment);
    };
  }
  api::AddClusterRoutes(router, std::move(cluster_routes));
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
  // Handlers block (fsync'd audit lines, libvirt, qemu-img): they run on their own threads so
  // that a slow one never stalls other connections; open probes skip the queue
  // (docs/operations.md, "Request handling").
  options.handler_threads = api.handler_threads;
  options.handle_on_io_thread = [guard = guard_](const http::Request& request) {
    return guard->NeedsNoCredentials(request);
  };
  tls_.reset();  // a retried start: unregister the previous attempt's reload handler first
  NOVACRON_ASSIGN_OR_RETURN(tls_, ApiTls::Create(runtime(), log()));
  if (tls_) options.tls = tls_->source();
  NOVACRON_RETURN_IF_ERROR(RegisterServerMetrics());
  auto server = std::make_unique<http::HttpServer>(options, std::move(router));
  NOVACRON_RETURN_IF_ERROR(server->Start());
  http::HttpServer* started = server.get();
  {
    std::lock_guard lock(server_mu_);
    server_ = std::move(server);
  }
  runtime().reloads.Register(
      "api.server",
      [server = started](const config::Config& next, const std::vector<std::string>& changed) {
        std::vector<std::string> applied;
        if (std::find(changed.begin(), changed.end(), "api.max_connections_per_client") !=
            changed.end()) {
          server->SetMaxConnectionsPerClient(next.api.max_connections_per_client);
          applied.push_back("api.max_connections_per_client");
        }
        return applied;
      });

  std::string address = FormatHostPort(api.host, started->port());
  // The scheme tells the CLI to speak HTTPS (cli/daemon_address.h).
  std::string scheme = tls_ ? "https://" : "";
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(ApiAddressFile(config()), scheme + address + "\n",
                                               {.mode = 0600, .overwrite = true}));
  log().Info("api listening", {{"address", address}});
  return {};
}

http::ServerStats ApiComponent::ServerStats() const {
  std::lock_guard lock(server_mu_);
  return server_ ? server_->stats() : http::ServerStats{};
}

Status ApiComponent::RegisterServerMetrics() {
  if (server_metrics_registered_) return {};  // a restarted component keeps the first ones
  server_metrics_registered_ = true;
  using Field = uint64_t http::ServerStats::*;
  struct Counter {
    const char* name;
    const char* help;
    Field field;
  };
  const Counter counters[] = {
      {"novacron_http_connections_accepted_total", "API connections accepted.",
       &http::ServerStats::connections_accepted},
      {"novacron_http_connections_rejected_total",
       "API connections refused: over the total or per-client connection limit.",
       &http::ServerStats::connections_rejected},
      {"novacron_http_protocol_errors_total",
       "Malformed or oversized requests answered 400/413/431/501/505 by the server.",
       &http::ServerStats::protocol_errors},
      {"novacron_http_timeouts_total", "Connections closed for a request or response too slow.",
       &http::ServerStats::timeouts},
      {"novacron_http_busy_rejections_total",
       "Requests answered 503 because the queue for handler threads was full.",
       &http::ServerStats::busy_rejections},
      {"novacron_tls_handshake_failures_total",
       "API connections closed before a completed TLS handshake (bad version, untrusted or "
       "missing client certificate, plain HTTP).",
       &http::ServerStats::tls_handshake_failures},
  };
  for (const Counter& c : counters) {
    NOVACRON_RETURN_IF_ERROR(runtime().metrics.RegisterCounterFunc(
        c.name, c.help,
        [this, field = c.field] { return static_cast<double>(ServerStats().*field); }));
  }
  NOVACRON_RETURN_IF_ERROR(runtime().metrics.RegisterGaugeFunc(
      "novacron_http_active_connections", "Open API connections.",
      [this] { return static_cast<double>(ServerStats().active_connections); }));
  return runtime().metrics.RegisterGaugeFunc(
      "novacron_http_queued_requests", "API requests waiting for a handler thread.",
      [this] { return static_cast<double>(ServerStats().queued_requests); });
}

Status ApiComponent::Stop(lifecycle::StopContext& ctx) {
  runtime().reloads.Unregister("api.guard");
  runtime().reloads.Unregister("api.server");  // before the server it points to goes
  std::error_code ignored;
  std::filesystem::remove(ApiAddressFile(config()), ignored);
  std::unique_ptr<http::HttpServer> server;
  {
    std::lock_guard lock(server_mu_);
    server = std::move(server_);
  }
  if (server) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline() -
                                                                      lifecycle::Clock::now());
    server->Stop(std::max(left - std::chrono::milliseconds(200), std::chrono::milliseconds(0)));
  }
  tls_.reset();
  http::SetInternalErrorReporter(nullptr);
  store_.reset();
  return {};
}

}  // namespace novacron::components
