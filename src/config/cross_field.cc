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
    CheckCluster();
  }

 private:
  void CheckCluster() {
    const ClusterConfig& k = c_.cluster;
    if (k.mode == ClusterMode::kStandalone) {
      // A key that is accepted must act, and the others are only read in etcd mode. A default
      // value spelled out (a file written by `config show`) changes nothing: no warning.
      for (const KeySpec& spec : Schema()) {
        if (spec.key.rfind("cluster.", 0) != 0 || spec.key == "cluster.mode") continue;
        if (spec.get(c_) == DefaultValue(spec)) continue;
        Report({spec.key},
               "ignored: cluster.mode is standalone; this key applies only in etcd mode",
               Severity::kWarning);
      }
      return;  // like network.tls_* without enable_tls: unused, so not checked against each other
    }
    if (k.etcd_endpoints.empty() && !HasError("cluster.etcd_endpoints")) {
      Report({"cluster.mode", "cluster.etcd_endpoints"},
             "mode etcd requires cluster.etcd_endpoints, the etcd members as HOST:PORT (a list in "
             "the file, or NOVACRON_CLUSTER_ETCD_ENDPOINTS=10.0.0.1:2379,10.0.0.2:2379)");
    }
    // The scheme must agree with etcd_ca_file, as cluster::ParseEtcdEndpoints requires.
    for (const std::string& endpoint : k.etcd_endpoints) {
      if (endpoint.rfind("https://", 0) == 0 && k.etcd_ca_file.empty()) {
        Report({"cluster.etcd_endpoints", "cluster.etcd_ca_file"},
               "etcd endpoint " + endpoint +
                   " is https:// but cluster.etcd_ca_file is not set (the CA that etcd's "
                   "certificates are verified against)");
      } else if (endpoint.rfind("http://", 0) == 0 && !k.etcd_ca_file.empty()) {
        Report({"cluster.etcd_endpoints", "cluster.etcd_ca_file"},
               "etcd endpoint " + endpoint +
                   " is http:// but cluster.etcd_ca_file is set, which means TLS to etcd; use "
                   "https:// or HOST:PORT");
      }
    }
    if (!k.etcd_cert_file.empty() && k.etcd_key_file.empty()) {
      Report({"cluster.etcd_cert_file", "cluster.etcd_key_file"},
             "etcd_cert_file requires cluster.etcd_key_file (the certificate's private key)");
    }
    if (k.etcd_cert_file.empty() && !k.etcd_key_file.empty()) {
      Report({"cluster.etcd_key_file", "cluster.etcd_cert_file"},
             "etcd_key_file requires cluster.etcd_cert_file (the client certificate)");
    }
    // Without a CA the client speaks plain HTTP/2 and would never send the certificate.
    if (!k.etcd_cert_file.empty() && k.etcd_ca_file.empty()) {
      Report({"cluster.etcd_cert_file", "cluster.etcd_ca_file"},
             "etcd_cert_file requires cluster.etcd_ca_file: a client certificate is only sent "
             "over TLS");
    }
    // etcd grants leases in whole seconds: 2500ms would quietly become 2s.
    if (k.lease_ttl % std::chrono::seconds(1) != Duration::zero()) {
      Report({"cluster.lease_ttl"}, "lease_ttl " + FormatDuration(k.lease_ttl) +
                                        " must be whole seconds (etcd leases are)");
    }
  }

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

  // Whether the key's value was refused: a rule on its default would only confuse.
  bool HasError(std::string_view key) const {
    for (const ConfigIssue& issue : issues_) {
      if (issue.key == key && issue.severity == Severity::kError) return true;
    }
    return false;
  }

  // Attaches the issue to the key among `keys` with the strongest source (the first on a tie).
  void Report(std::initializer_list<std::string_view> keys, std::string message,
              Severity severity = Severity::kError) {
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
                       std::move(message), severity});
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
