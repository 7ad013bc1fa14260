// The key table. Each entry binds a dotted path to a Config field through a captureless generic
// lambda (FIELD), from which Bind() makes a getter and a setter; no other per-key code exists.
// Adding a key: a field with its default in config.h, and one Spec(...) row here.
#include <tuple>
#include <type_traits>
#include <utility>

#include "config/schema.h"
#include "config/units.h"

namespace novacron::config {
namespace {

template <typename T>
Value ToValue(const T& v) {
  if constexpr (std::is_enum_v<T>) {
    return static_cast<int64_t>(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    return v;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<int64_t>(v);
  } else {
    return v;  // std::string, milliseconds, std::vector<std::string>
  }
}

template <typename T>
void FromValue(const Value& v, T& out) {
  if constexpr (std::is_enum_v<T>) {
    out = static_cast<T>(std::get<int64_t>(v));
  } else if constexpr (std::is_same_v<T, bool>) {
    out = std::get<bool>(v);
  } else if constexpr (std::is_integral_v<T>) {
    out = static_cast<T>(std::get<int64_t>(v));  // in range: CheckValue runs before set
  } else {
    out = std::get<T>(v);
  }
}

// F is a captureless generic lambda `(auto& config) -> auto&` naming one field.
template <typename F>
std::pair<Value (*)(const Config&), void (*)(Config&, const Value&)> Bind(F) {
  return {[](const Config& c) { return ToValue(F{}(c)); },
          [](Config& c, const Value& v) { FromValue(v, F{}(c)); }};
}

#define FIELD(path) \
  [](auto& c) -> auto& { return c.path; }

// Builds a KeySpec one property at a time, so each table row reads left to right.
class Spec {
 public:
  template <typename F>
  Spec(std::string_view key, ValueType type, F field, std::string_view description) {
    s_.key = key;
    s_.type = type;
    s_.description = description;
    std::tie(s_.get, s_.set) = Bind(field);
  }
  Spec& Range(int64_t min, int64_t max) {
    s_.min = min;
    s_.max = max;
    return *this;
  }
  Spec& Min(int64_t min) {
    s_.min = min;
    return *this;
  }
  Spec& Enum(std::span<const std::string_view> names) {
    s_.enum_names = names;
    return *this;
  }
  Spec& Secret() {
    s_.secret = true;
    return *this;
  }
  Spec& Reloadable() {
    s_.reloadable = true;
    return *this;
  }
  Spec& DynamicDefault(std::string_view what) {
    s_.dynamic_default = what;
    return *this;
  }
  Spec& Check(std::string (*check)(std::string_view)) {
    s_.check = check;
    return *this;
  }
  operator KeySpec() const { return s_; }  // NOLINT(google-explicit-constructor)

 private:
  KeySpec s_;
};

std::string CheckNodeId(std::string_view id) {
  if (id.empty()) return "must not be empty";
  if (id.size() > 63) return "must be at most 63 characters, got " + std::to_string(id.size());
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return "may only contain A-Z a-z 0-9 . _ -, got \"" + std::string(id) + "\"";
  }
  return "";
}

std::string CheckHost(std::string_view host) {
  if (host.empty()) return "must not be empty";
  Result<HostPort> hp = ParseHostPort(host);
  if (!hp.ok()) return hp.status().message();
  if (hp->port.has_value() || hp->host.empty()) {
    return "expected a host name or address without a port, got \"" + std::string(host) + "\"";
  }
  return "";
}

std::string CheckPeer(std::string_view peer) {
  Result<HostPort> hp = ParseHostPort(peer);
  if (!hp.ok()) return hp.status().message();
  if (hp->host.empty() || !hp->port.has_value() || *hp->port == 0) {
    return "expected HOST:PORT with a non-zero port, got \"" + std::string(peer) + "\"";
  }
  return "";
}

std::string CheckNotEmpty(std::string_view value) {
  return value.empty() ? "must not be empty" : "";
}

// The shapes cluster::ParseEtcdEndpoints accepts, checked at load so that a typo is reported
// with its file line instead of at boot. Whether the scheme fits etcd_ca_file is a cross-field
// rule.
std::string CheckEtcdEndpoint(std::string_view endpoint) {
  std::string_view rest = endpoint;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (rest.substr(0, scheme.size()) == scheme) {
      rest.remove_prefix(scheme.size());
      break;
    }
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  Result<HostPort> hp = ParseHostPort(rest);
  if (!hp.ok() || hp->host.empty() || !hp->port.has_value() || *hp->port == 0) {
    return "expected HOST:PORT, http://HOST:PORT or https://HOST:PORT with a port 1..65535, "
           "got \"" +
           std::string(endpoint) + "\"";
  }
  return "";
}

std::string CheckEtcdPrefix(std::string_view prefix) {
  if (prefix.empty() || prefix.front() != '/' || prefix.back() != '/') {
    return "must start and end with '/', got \"" + std::string(prefix) + "\"";
  }
  for (char c : prefix) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return "must not contain whitespace, got \"" + std::string(prefix) + "\"";
    }
  }
  return "";
}

constexpr int64_t kMaxPort = 65535;
constexpr int64_t kMs = 1;
constexpr int64_t kSecond = 1000;

using T = ValueType;

std::vector<KeySpec> BuildSchema() {
  return {
      // system
      Spec("system.node_id", T::kString, FIELD(system.node_id),
           "Name of this node in the cluster: [A-Za-z0-9._-], at most 63 characters")
          .DynamicDefault("the host name")
          .Check(CheckNodeId),
      Spec("system.data_dir", T::kString, FIELD(system.data_dir),
           "Directory for state (SQLite database, checkpoints, keys); relative paths are "
           "resolved against the working directory at load")
          .DynamicDefault("$XDG_STATE_HOME/novacron if XDG_STATE_HOME is set, else ./var")
          .Check(CheckNotEmpty),
      Spec("system.log_level", T::kEnum, FIELD(system.log_level), "Least severe log level written")
          .Enum(kLogLevelNames)
          .Reloadable(),
      Spec("system.log_format", T::kEnum, FIELD(system.log_format),
           "Log line format; auto = human text on a terminal, JSON lines otherwise")
          .Enum(kLogFormatNames),
      Spec("system.max_concurrency", T::kInt, FIELD(system.max_concurrency),
           "Components initialized at the same time during boot")
          .Range(1, 1024),
      Spec("system.boot_strategy", T::kEnum, FIELD(system.boot_strategy),
           "eager: start a component as soon as its dependencies are up; levels: one dependency "
           "level at a time; sequential: one component at a time")
          .Enum(kBootStrategyNames),
      Spec("system.start_timeout", T::kDuration, FIELD(system.start_timeout),
           "Default time a component may take to start")
          .Min(kMs),
      Spec("system.stop_timeout", T::kDuration, FIELD(system.stop_timeout),
           "Default time a component may take to stop")
          .Min(kMs),
      Spec("system.shutdown_timeout", T::kDuration, FIELD(system.shutdown_timeout),
           "Time the whole daemon may take to shut down")
          .Min(kMs),
      Spec("system.health_check_port", T::kInt, FIELD(system.health_check_port),
           "Port of a separate health listener; 0 = health endpoints on the API listener")
          .Range(0, kMaxPort),

      // resources
      Spec("system.allow_failpoints", T::kBool, FIELD(system.allow_failpoints),
           "Honour NOVACRON_FAILPOINTS (fault-injection drills and tests; never in production)"),

      Spec("resources.profile", T::kEnum, FIELD(resources.profile),
           "Preflight threshold profile: default (1 CPU, 512 MiB, 256 MiB disk, KVM optional) or "
           "production (4 CPUs, 8192 MiB, 51200 MiB disk, KVM required)")
          .Enum(kResourceProfileNames),
      Spec("resources.min_cpus", T::kInt, FIELD(resources.min_cpus),
           "Minimum usable CPUs; 0 = from the profile")
          .Range(0, 1 << 16),
      Spec("resources.min_memory_mib", T::kInt, FIELD(resources.min_memory_mib),
           "Minimum memory in MiB; 0 = from the profile")
          .Range(0, int64_t{1} << 40),
      Spec("resources.min_disk_free_mib", T::kInt, FIELD(resources.min_disk_free_mib),
           "Minimum free disk space in the data directory, in MiB; 0 = from the profile")
          .Range(0, int64_t{1} << 40),
      Spec("resources.require_kvm", T::kEnum, FIELD(resources.require_kvm),
           "Whether /dev/kvm must be usable: true, false, or auto = from the profile")
          .Enum(kKvmRequirementNames),

      // dwcp
      Spec("dwcp.enable_auto_detection", T::kBool, FIELD(dwcp.enable_auto_detection),
           "Detect the network mode (datacenter/internet/hybrid) from latency and bandwidth"),
      Spec("dwcp.forced_mode", T::kEnum, FIELD(dwcp.forced_mode),
           "Network mode to use instead of detection; empty = detect")
          .Enum(kDwcpModeNames)
          .Reloadable(),
      Spec("dwcp.detection_interval", T::kDuration, FIELD(dwcp.detection_interval),
           "How often the network mode is detected again")
          .Min(kSecond),
      Spec("dwcp.detection_timeout", T::kDuration, FIELD(dwcp.detection_timeout),
           "Time one network mode detection may take")
          .Min(kMs),
      Spec("dwcp.detection_peers", T::kStringList, FIELD(dwcp.detection_peers),
           "Peers (HOST:PORT) probed to measure latency and bandwidth")
          .Check(CheckPeer),
      Spec("dwcp.v3_rollout_percentage", T::kInt, FIELD(dwcp.v3_rollout_percentage),
           "Share of transfers that use the v3 protocol, in percent")
          .Range(0, 100)
          .Reloadable(),
      Spec("dwcp.enable_v3_transport", T::kBool, FIELD(dwcp.enable_v3_transport),
           "Use the v3 adaptive multi-stream transport (AMST)"),
      Spec("dwcp.enable_v3_compression", T::kBool, FIELD(dwcp.enable_v3_compression),
           "Use the v3 compression and delta encoding (HDE)"),
      Spec("dwcp.enable_v3_prediction", T::kBool, FIELD(dwcp.enable_v3_prediction),
           "Use the v3 bandwidth prediction (PBA)"),
      Spec("dwcp.enable_v3_state_sync", T::kBool, FIELD(dwcp.enable_v3_state_sync),
           "Use the v3 state synchronization (ASS)"),
      Spec("dwcp.enable_v3_consensus", T::kBool, FIELD(dwcp.enable_v3_consensus),
           "Use the v3 consensus (ACP)"),
      Spec("dwcp.enable_v3_placement", T::kBool, FIELD(dwcp.enable_v3_placement),
           "Use the v3 placement (ITP)"),
      Spec("dwcp.transport.min_streams", T::kInt, FIELD(dwcp.transport.min_streams),
           "Fewest parallel streams per transfer")
          .Range(1, 4096),
      Spec("dwcp.transport.max_streams", T::kInt, FIELD(dwcp.transport.max_streams),
           "Most parallel streams per transfer")
          .Range(1, 4096),
      Spec("dwcp.transport.stream_timeout", T::kDuration, FIELD(dwcp.transport.stream_timeout),
           "Idle time after which a stream is closed")
          .Min(kMs),
      Spec("dwcp.transport.enable_rdma", T::kBool, FIELD(dwcp.transport.enable_rdma),
           "Use RDMA when the hardware has it (falls back to TCP)"),
      Spec("dwcp.transport.congestion_algo", T::kEnum, FIELD(dwcp.transport.congestion_algo),
           "TCP congestion control for data streams")
          .Enum(kCongestionAlgoNames),
      Spec("dwcp.compression.algorithm", T::kEnum, FIELD(dwcp.compression.algorithm),
           "Compression of transferred data")
          .Enum(kCompressionAlgoNames),
      Spec("dwcp.compression.level", T::kInt, FIELD(dwcp.compression.level),
           "Compression level (zstd 1..22; lz4 uses 1..12)")
          .Range(1, 22),
      Spec("dwcp.compression.enable_delta", T::kBool, FIELD(dwcp.compression.enable_delta),
           "Send deltas against a known baseline instead of full data when possible"),
      Spec("dwcp.consensus.protocol", T::kEnum, FIELD(dwcp.consensus.protocol),
           "Consensus protocol between nodes")
          .Enum(kConsensusProtocolNames),
      Spec("dwcp.consensus.heartbeat_interval", T::kDuration,
           FIELD(dwcp.consensus.heartbeat_interval), "Interval between leader heartbeats")
          .Min(kMs),
      Spec("dwcp.consensus.election_timeout", T::kDuration, FIELD(dwcp.consensus.election_timeout),
           "Time without a heartbeat after which a new leader is elected")
          .Min(kMs),

      // network
      Spec("network.listen_address", T::kString, FIELD(network.listen_address),
           "Address of the data-plane (DWCP) listener")
          .Check(CheckHost),
      Spec("network.bind_port", T::kInt, FIELD(network.bind_port),
           "Port of the data-plane listener; 0 = ephemeral")
          .Range(0, kMaxPort),
      Spec("network.max_connections", T::kInt, FIELD(network.max_connections),
           "Most open data-plane connections")
          .Range(1, 1000000),
      Spec("network.conn_timeout", T::kDuration, FIELD(network.conn_timeout),
           "Time a data-plane connection may take to establish")
          .Min(kMs),
      Spec("network.enable_tls", T::kBool, FIELD(network.enable_tls),
           "TLS on the data-plane listener (needs tls_cert_path and tls_key_path)"),
      Spec("network.tls_cert_path", T::kString, FIELD(network.tls_cert_path),
           "PEM certificate chain for TLS"),
      Spec("network.tls_key_path", T::kString, FIELD(network.tls_key_path),
           "PEM private key for TLS"),

      // storage
      Spec("storage.backend", T::kEnum, FIELD(storage.backend),
           "State store: sqlite (embedded, under data_dir), postgres or redis")
          .Enum(kStorageBackendNames),
      Spec("storage.connection_string", T::kString, FIELD(storage.connection_string),
           "Connection string of the postgres or redis backend, e.g. postgres://user:pw@host/db")
          .Secret(),
      Spec("storage.max_connections", T::kInt, FIELD(storage.max_connections),
           "Most connections to the state store")
          .Range(1, 100000),
      Spec("storage.connect_timeout", T::kDuration, FIELD(storage.connect_timeout),
           "Longest the database component tries to connect at boot before it fails")
          .Min(kMs),
      Spec("storage.enable_cache", T::kBool, FIELD(storage.enable_cache),
           "Cache state store reads (VM records) in front of the database"),
      Spec("storage.cache_ttl", T::kDuration, FIELD(storage.cache_ttl),
           "Time a cached read stays valid")
          .Min(kMs),
      Spec("storage.cache_backend", T::kEnum, FIELD(storage.cache_backend),
           "Cache: memory (in-process LRU) or redis (shared; falls back to memory when down)")
          .Enum(kCacheBackendNames),
      Spec("storage.redis_url", T::kString, FIELD(storage.redis_url),
           "Redis of the redis cache, redis://[:password@]host:port[/db]")
          .Secret(),
      Spec("storage.cache_max_entries", T::kInt, FIELD(storage.cache_max_entries),
           "Most entries the in-memory cache holds (least recently used go first)")
          .Range(1, 100000000),

      // vm
      Spec("vm.hypervisor_uri", T::kString, FIELD(vm.hypervisor_uri),
           "libvirt connection URI; test:///default runs the API without a hypervisor"),
      Spec("vm.domain_type", T::kEnum, FIELD(vm.domain_type),
           "Accelerator of new domains: kvm (hardware) or qemu (software emulation, TCG)")
          .Enum(kDomainTypeNames),
      Spec("vm.disk_dir", T::kString, FIELD(vm.disk_dir), "Directory of the VMs' disk images")
          .DynamicDefault("<data_dir>/vms"),
      Spec("vm.cpu_overcommit_percent", T::kInt, FIELD(vm.cpu_overcommit_percent),
           "vCPUs admitted per 100 host CPUs (400 = 4 vCPUs per CPU)")
          .Range(1, 10000),
      Spec("vm.memory_overcommit_percent", T::kInt, FIELD(vm.memory_overcommit_percent),
           "VM memory admitted per 100 MiB of host memory (100 = no overcommit)")
          .Range(1, 1000),
      Spec("vm.shutdown_timeout", T::kDuration, FIELD(vm.shutdown_timeout),
           "Time a graceful shutdown may take before the VM is powered off")
          .Min(kMs),
      Spec("vm.reconcile_interval", T::kDuration, FIELD(vm.reconcile_interval),
           "Period of the reconciliation of records against the hypervisor")
          .Min(kMs),

      // monitoring
      Spec("monitoring.enable_metrics", T::kBool, FIELD(monitoring.enable_metrics),
           "Serve Prometheus metrics at /metrics"),
      Spec("monitoring.metrics_port", T::kInt, FIELD(monitoring.metrics_port),
           "Port of a separate metrics listener; 0 = /metrics on the API listener")
          .Range(0, kMaxPort),
      Spec("monitoring.enable_tracing", T::kBool, FIELD(monitoring.enable_tracing),
           "Export OpenTelemetry traces (needs tracing_endpoint)"),
      Spec("monitoring.tracing_endpoint", T::kString, FIELD(monitoring.tracing_endpoint),
           "OTLP/HTTP endpoint traces are sent to"),
      Spec("monitoring.enable_profiling", T::kBool, FIELD(monitoring.enable_profiling),
           "Serve profiling endpoints on profiling_port (loopback only)"),
      Spec("monitoring.profiling_port", T::kInt, FIELD(monitoring.profiling_port),
           "Port of the profiling listener")
          .Range(0, kMaxPort),

      Spec("vm.image_dirs", T::kStringList, FIELD(vm.image_dirs),
           "Directories base_image, kernel and initrd may come from; empty = <data_dir>/images")
          .DynamicDefault("<data_dir>/images")
          .Check(CheckNotEmpty),

      // security
      Spec("security.enable_auth", T::kBool, FIELD(security.enable_auth),
           "Require authentication on the API"),
      Spec(
          "security.auth_method", T::kEnum, FIELD(security.auth_method),
          "How API clients authenticate: token (bearer tokens), mtls (client certificates) or none")
          .Enum(kAuthMethodNames),
      Spec("security.api_token", T::kString, FIELD(security.api_token),
           "An extra admin bearer token from the configuration (auth_method token); prefer "
           "tokens made with `novacron token create`, which can expire and be revoked")
          .Secret(),
      Spec("security.trusted_nodes", T::kStringList, FIELD(security.trusted_nodes),
           "Node ids (or certificate names) accepted as cluster peers")
          .Check(CheckNotEmpty),
      Spec("security.enable_encryption", T::kBool, FIELD(security.enable_encryption),
           "Encrypt secrets at rest"),
      Spec("security.encryption_algo", T::kEnum, FIELD(security.encryption_algo),
           "Cipher for secrets at rest")
          .Enum(kEncryptionAlgoNames),
      Spec("security.key_rotation_interval", T::kDuration, FIELD(security.key_rotation_interval),
           "How often encryption keys are rotated")
          .Min(60 * kSecond),
      Spec("security.audit_retention", T::kDuration, FIELD(security.audit_retention),
           "How long audit log entries are kept")
          .Min(60 * kSecond),
      Spec("security.audit_rotate_bytes", T::kSize, FIELD(security.audit_rotate_bytes),
           "Size at which audit.log is rotated (the hash chain continues in the next file)")
          .Range(4096, int64_t{1} << 40),
      Spec("security.key_file", T::kString, FIELD(security.key_file),
           "File (mode 0600) with the key for enc:v1: values; NOVACRON_SECRET_KEY overrides"),
      Spec("security.tls.cert_file", T::kString, FIELD(security.tls.cert_file),
           "PEM certificate chain of the API listener; empty = plain HTTP")
          .Reloadable(),
      Spec("security.tls.key_file", T::kString, FIELD(security.tls.key_file),
           "PEM private key of the API listener (mode 0600 or 0400)")
          .Reloadable(),
      Spec("security.tls.ca_file", T::kString, FIELD(security.tls.ca_file),
           "PEM CA bundle that client certificates must chain to (auth_method mtls)")
          .Reloadable(),

      // api
      Spec("api.host", T::kString, FIELD(api.host), "Address of the API listener").Check(CheckHost),
      Spec("api.port", T::kInt, FIELD(api.port), "Port of the API listener; 0 = ephemeral")
          .Range(0, kMaxPort),
      Spec("api.cors_allowed_origins", T::kStringList, FIELD(api.cors_allowed_origins),
           "Origins allowed by CORS, e.g. https://console.example.com; empty = no CORS")
          .Check(CheckNotEmpty)
          .Reloadable(),
      Spec("api.rate_limit", T::kInt, FIELD(api.rate_limit),
           "Requests per minute per client; 0 = unlimited")
          .Range(0, 100000000)
          .Reloadable(),
      Spec("api.max_body_bytes", T::kSize, FIELD(api.max_body_bytes),
           "Largest request body accepted")
          .Range(1, int64_t{1} << 30),
      Spec("api.max_header_bytes", T::kSize, FIELD(api.max_header_bytes),
           "Largest request header block accepted")
          .Range(1024, int64_t{1} << 20),
      Spec("api.max_connections_per_client", T::kInt, FIELD(api.max_connections_per_client),
           "Open connections allowed per client address; more are refused with 503")
          .Range(1, 1000000)
          .Reloadable(),
      Spec("api.handler_threads", T::kInt, FIELD(api.handler_threads),
           "Threads that run API requests (disk, libvirt, child processes), apart from the "
           "network threads; health probes and /metrics never wait for them")
          .Range(1, 256),
      Spec("api.open_health", T::kBool, FIELD(api.open_health),
           "Health probes answer without a token from any address (loopback always may)")
          .Reloadable(),
      Spec("api.open_metrics", T::kBool, FIELD(api.open_metrics),
           "/metrics answers without a token from any address (loopback always may)")
          .Reloadable(),

      // cluster: none is reloadable, a node joins or leaves a cluster by restarting.
      Spec("cluster.mode", T::kEnum, FIELD(cluster.mode),
           "standalone = this node alone, no etcd; etcd = a member of one cluster whose shared "
           "state lives in etcd (needs etcd_endpoints). The other cluster keys apply only in etcd "
           "mode")
          .Enum(kClusterModeNames),
      Spec("cluster.etcd_endpoints", T::kStringList, FIELD(cluster.etcd_endpoints),
           "etcd members as HOST:PORT, http://HOST:PORT or https://HOST:PORT (https:// needs "
           "etcd_ca_file; HOST:PORT uses TLS when etcd_ca_file is set)")
          .Check(CheckEtcdEndpoint),
      Spec("cluster.lease_ttl", T::kDuration, FIELD(cluster.lease_ttl),
           "How long a node may stay silent before the others see it lost (whole seconds: an "
           "etcd lease); a node that cannot renew its lease this long fences itself")
          .Range(2 * kSecond, 300 * kSecond),
      Spec("cluster.failover_grace", T::kDuration, FIELD(cluster.failover_grace),
           "Extra wait after a node's lease lapsed before its HA VMs are restarted elsewhere")
          .Range(0, 600 * kSecond),
      Spec("cluster.prefix", T::kString, FIELD(cluster.prefix),
           "Prefix of every etcd key of this cluster; starts and ends with '/', no whitespace")
          .Check(CheckEtcdPrefix),
      Spec("cluster.placement", T::kEnum, FIELD(cluster.placement),
           "Placement score: spread = the least allocated node first; pack = the most allocated "
           "node that fits (fewer nodes used)")
          .Enum(kPlacementStrategyNames),
      Spec("cluster.etcd_ca_file", T::kString, FIELD(cluster.etcd_ca_file),
           "PEM CA bundle etcd's server certificates must chain to; set = TLS to etcd"),
      Spec("cluster.etcd_cert_file", T::kString, FIELD(cluster.etcd_cert_file),
           "PEM client certificate for etcd (mTLS); needs etcd_key_file and etcd_ca_file"),
      Spec("cluster.etcd_key_file", T::kString, FIELD(cluster.etcd_key_file),
           "PEM private key of etcd_cert_file"),
      Spec("cluster.etcd_dial_timeout", T::kDuration, FIELD(cluster.etcd_dial_timeout),
           "Longest the daemon tries to reach etcd at boot (with retries) before it exits")
          .Range(kSecond, 300 * kSecond),
  };
}

#undef FIELD

}  // namespace

const std::vector<KeySpec>& Schema() {
  static const std::vector<KeySpec> schema = BuildSchema();
  return schema;
}

}  // namespace novacron::config
