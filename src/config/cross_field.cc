// Level-2 rules that involve more than one key. Each issue is attached to the key the user most
// likely has to change: the one set by the strongest source.
#include <arpa/inet.h>

#include <string>
#include <utility>

#include "config/builder.h"
#include "config/units.h"

namespace novacron::config {
namespace {

// Whether `host` only ever means this machine: "localhost", 127.0.0.0/8 or ::1.
bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

class Rules {
 public:
  Rules(const Config& config, const std::vector<Source>& sources, std::vector<ConfigIssue>& issues)
      : c_(config), sources_(sources), issues_(issues) {}

  void Run() {
    const Config& c = c_;
    if (c.dwcp.transport.min_streams > c.dwcp.transport.max_streams) {
      Report({"dwcp.transport.min_streams", "dwcp.transport.max_streams"},
             "min_streams " + std::to_string(c.dwcp.transport.min_streams) +
                 " is greater than max_streams " + std::to_string(c.dwcp.transport.max_streams));
    }
    if (c.network.enable_tls && c.network.tls_cert_path.empty()) {
      Report({"network.enable_tls", "network.tls_cert_path"},
             "enable_tls requires network.tls_cert_path");
    }
    if (c.network.enable_tls && c.network.tls_key_path.empty()) {
      Report({"network.enable_tls", "network.tls_key_path"},
             "enable_tls requires network.tls_key_path");
    }
    if (c.security.enable_auth && c.security.auth_method == AuthMethod::kNone) {
      Report({"security.enable_auth", "security.auth_method"},
             "enable_auth requires security.auth_method mtls or token, not none");
    }
    if (!c.security.enable_auth && !IsLoopbackHost(c.api.host)) {
      Report({"api.host", "security.enable_auth"},
             "api.host " + c.api.host +
                 " is reachable from other machines, so security.enable_auth must be true "
                 "(create a token with `novacron token create --role admin`), or listen on "
                 "127.0.0.1");
    }
    if (!c.security.tls.cert_file.empty() && c.security.tls.key_file.empty()) {
      Report({"security.tls.cert_file", "security.tls.key_file"},
             "cert_file requires security.tls.key_file (the certificate's private key)");
    }
    if (c.security.tls.cert_file.empty() && !c.security.tls.key_file.empty()) {
      Report({"security.tls.key_file", "security.tls.cert_file"},
             "key_file requires security.tls.cert_file (TLS is on only with a certificate)");
    }
    if (c.security.auth_method == AuthMethod::kMtls &&
        (c.security.tls.cert_file.empty() || c.security.tls.ca_file.empty())) {
      Report({"security.auth_method", "security.tls.ca_file", "security.tls.cert_file"},
             "auth_method mtls requires TLS (security.tls.cert_file, key_file) and "
             "security.tls.ca_file to verify client certificates");
    }
    if (c.storage.backend == StorageBackend::kPostgres && c.storage.connection_string.empty()) {
      Report({"storage.backend", "storage.connection_string"},
             "backend postgres requires storage.connection_string");
    }
    if (c.storage.enable_cache && c.storage.cache_backend == CacheBackend::kRedis &&
        c.storage.redis_url.empty()) {
      Report({"storage.cache_backend", "storage.redis_url"},
             "cache_backend redis requires storage.redis_url");
    }
    if (c.dwcp.consensus.heartbeat_interval >= c.dwcp.consensus.election_timeout) {
      Report({"dwcp.consensus.heartbeat_interval", "dwcp.consensus.election_timeout"},
             "heartbeat_interval " + FormatDuration(c.dwcp.consensus.heartbeat_interval) +
                 " must be shorter than election_timeout " +
                 FormatDuration(c.dwcp.consensus.election_timeout));
    }
    if (c.dwcp.detection_timeout > c.dwcp.detection_interval) {
      Report({"dwcp.detection_timeout", "dwcp.detection_interval"},
             "detection_timeout " + FormatDuration(c.dwcp.detection_timeout) +
                 " is longer than detection_interval " + FormatDuration(c.dwcp.detection_interval));
    }
    if (c.monitoring.enable_tracing && c.monitoring.tracing_endpoint.empty()) {
      Report({"monitoring.enable_tracing", "monitoring.tracing_endpoint"},
             "enable_tracing requires monitoring.tracing_endpoint");
    }
    CheckPortClashes();
  }

 private:
  // Two listeners on the API host may not share a fixed port.
  void CheckPortClashes() {
    const Config& c = c_;
    struct Port {
      std::string_view key;
      int port;
    };
    std::vector<Port> ports = {{"api.port", c.api.port},
                               {"system.health_check_port", c.system.health_check_port},
                               {"monitoring.metrics_port", c.monitoring.metrics_port}};
    if (c.monitoring.enable_profiling) {
      ports.push_back({"monitoring.profiling_port", c.monitoring.profiling_port});
    }
    if (c.network.listen_address == c.api.host) {
      ports.push_back({"network.bind_port", c.network.bind_port});
    }
    for (size_t i = 0; i < ports.size(); ++i) {
      for (size_t j = i + 1; j < ports.size(); ++j) {
        if (ports[i].port != 0 && ports[i].port == ports[j].port) {
          Report({ports[j].key, ports[i].key}, "port " + std::to_string(ports[j].port) +
                                                   " is also used by " + std::string(ports[i].key));
        }
      }
    }
  }

  // Attaches the issue to the key among `keys` with the strongest source (the first on a tie).
  void Report(std::initializer_list<std::string_view> keys, std::string message) {
    const KeySpec* blamed = nullptr;
    for (std::string_view key : keys) {
      const KeySpec* spec = FindKey(key);
      if (spec == nullptr) continue;
      if (blamed == nullptr || sources_[KeyIndex(*spec)].kind > sources_[KeyIndex(*blamed)].kind) {
        blamed = spec;
      }
    }
    if (blamed == nullptr) return;
    issues_.push_back({sources_[KeyIndex(*blamed)].Where(), std::string(blamed->key),
                       std::move(message), Severity::kError});
  }

  const Config& c_;
  const std::vector<Source>& sources_;
  std::vector<ConfigIssue>& issues_;
};

}  // namespace

void CheckCrossField(const Config& config, const std::vector<Source>& sources,
                     std::vector<ConfigIssue>& issues) {
  Rules(config, sources, issues).Run();
}

}  // namespace novacron::config
