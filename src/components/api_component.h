// api: the HTTP listener on api.host:api.port — REST API v1 (VMs, node, cluster, OpenAPI), health
// probes, /metrics, /api/v1/components.
// Writes the bound address to <data_dir>/api.addr (useful with api.port 0) for the CLI.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/api_guard.h"
#include "components/api_tls.h"
#include "components/health_routes.h"
#include "components/node_component.h"
#include "http/server.h"

namespace novacron::components {

class ApiComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "api";
  using NodeComponent::NodeComponent;

  Status Stop(lifecycle::StopContext& ctx) override;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  // Authentication, roles, admin routes, rate limits, CORS, headers, metrics, audit
  // (api_security.cc).
  Status InstallSecurity(http::Router& router, api::AuditSink audit,
                         api::PeerIdentity peer_identity,
                         std::function<Result<std::string>(int)> audit_json);

  // The listener's counters as metrics (novacron_http_*, novacron_tls_handshake_failures_total),
  // registered once for the daemon's lifetime.
  Status RegisterServerMetrics();
  http::ServerStats ServerStats() const;

  HealthRouteContext routes_;
  std::unique_ptr<security::TokenAuthenticator> authenticator_;
  std::shared_ptr<api::ApiGuard> guard_;
  std::unique_ptr<ApiTls> tls_;               // null: plain HTTP (security.tls.cert_file empty)
  mutable std::mutex server_mu_;              // guards server_ against the metrics scrape
  std::unique_ptr<http::HttpServer> server_;  // guarded by server_mu_ (written in Start/Stop)
  bool server_metrics_registered_ = false;
  std::shared_ptr<store::StateStore> store_;  // Idempotency-Key records
};

// The identity and role of a request's verified client certificate (auth_method mtls): CN and
// the strongest O= role; nullopt without a certificate or without a role in it.
std::optional<security::Principal> PeerCertificateIdentity(const http::Request& request);

// <data_dir>/api.addr: "host:port\n" of the running daemon's API ("https://host:port\n" with
// TLS).
std::string ApiAddressFile(const config::Config& config);

}  // namespace novacron::components
