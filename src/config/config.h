// The typed configuration of one novacron daemon. Member initializers ARE the defaults (the
// schema in schema.cc reads them from a default-constructed Config), except the two defaults that
// depend on the machine: system.node_id (host name) and system.data_dir, filled in by LoadConfig.
//
// Enums are declared together with their names; the names are what files, env and flags accept,
// and they must stay in enumerator order.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace novacron::config {

using Duration = std::chrono::milliseconds;

enum class LogLevel { kDebug, kInfo, kWarn, kError };
inline constexpr std::array<std::string_view, 4> kLogLevelNames = {"debug", "info", "warn",
                                                                   "error"};
// kAuto: human text on a terminal, JSON lines otherwise.
enum class LogFormat { kAuto, kJson, kText };
inline constexpr std::array<std::string_view, 3> kLogFormatNames = {"auto", "json", "text"};
enum class BootStrategy { kEager, kLevels, kSequential };
inline constexpr std::array<std::string_view, 3> kBootStrategyNames = {"eager", "levels",
                                                                       "sequential"};
enum class ResourceProfile { kDefault, kProduction };
inline constexpr std::array<std::string_view, 2> kResourceProfileNames = {"default", "production"};
// kAuto: take it from the profile (default: optional, production: required).
enum class KvmRequirement { kAuto, kRequired, kOptional };
inline constexpr std::array<std::string_view, 3> kKvmRequirementNames = {"auto", "true", "false"};
// kAuto ("" in files): detect the network mode at run time.
enum class DwcpMode { kAuto, kDatacenter, kInternet, kHybrid };
inline constexpr std::array<std::string_view, 4> kDwcpModeNames = {"", "datacenter", "internet",
                                                                   "hybrid"};
enum class CongestionAlgo { kCubic, kBbr, kAdaptive };
inline constexpr std::array<std::string_view, 3> kCongestionAlgoNames = {"cubic", "bbr",
                                                                         "adaptive"};
enum class CompressionAlgo { kZstd, kLz4, kNone };
inline constexpr std::array<std::string_view, 3> kCompressionAlgoNames = {"zstd", "lz4", "none"};
enum class ConsensusProtocol { kRaft };
inline constexpr std::array<std::string_view, 1> kConsensusProtocolNames = {"raft"};
enum class StorageBackend { kSqlite, kPostgres, kRedis };
inline constexpr std::array<std::string_view, 3> kStorageBackendNames = {"sqlite", "postgres",
                                                                         "redis"};
enum class CacheBackend { kMemory, kRedis };
inline constexpr std::array<std::string_view, 2> kCacheBackendNames = {"memory", "redis"};
enum class DomainType { kKvm, kQemu };
inline constexpr std::array<std::string_view, 2> kDomainTypeNames = {"kvm", "qemu"};
enum class EncryptionAlgo { kAes256Gcm };
inline constexpr std::array<std::string_view, 1> kEncryptionAlgoNames = {"aes-256-gcm"};
enum class AuthMethod { kMtls, kToken, kNone };
inline constexpr std::array<std::string_view, 3> kAuthMethodNames = {"mtls", "token", "none"};
// kStandalone: this node alone, no etcd; kEtcd: a member of a cluster whose state is in etcd.
enum class ClusterMode { kStandalone, kEtcd };
inline constexpr std::array<std::string_view, 2> kClusterModeNames = {"standalone", "etcd"};
// How the leader scores the nodes that can take a VM: kSpread favours the least allocated,
// kPack the most allocated (fewer nodes used).
enum class PlacementStrategy { kSpread, kPack };
inline constexpr std::array<std::string_view, 2> kPlacementStrategyNames = {"spread", "pack"};

inline std::string_view ToString(LogLevel v) { return kLogLevelNames[static_cast<int>(v)]; }
inline std::string_view ToString(LogFormat v) { return kLogFormatNames[static_cast<int>(v)]; }
inline std::string_view ToString(BootStrategy v) { return kBootStrategyNames[static_cast<int>(v)]; }
inline std::string_view ToString(ResourceProfile v) {
  return kResourceProfileNames[static_cast<int>(v)];
}
inline std::string_view ToString(KvmRequirement v) {
  return kKvmRequirementNames[static_cast<int>(v)];
}
inline std::string_view ToString(DwcpMode v) { return kDwcpModeNames[static_cast<int>(v)]; }
inline std::string_view ToString(CongestionAlgo v) {
  return kCongestionAlgoNames[static_cast<int>(v)];
}
inline std::string_view ToString(CompressionAlgo v) {
  return kCompressionAlgoNames[static_cast<int>(v)];
}
inline std::string_view ToString(ConsensusProtocol v) {
  return kConsensusProtocolNames[static_cast<int>(v)];
}
inline std::string_view ToString(StorageBackend v) {
  return kStorageBackendNames[static_cast<int>(v)];
}
inline std::string_view ToString(CacheBackend v) { return kCacheBackendNames[static_cast<int>(v)]; }
inline std::string_view ToString(DomainType v) { return kDomainTypeNames[static_cast<int>(v)]; }
inline std::string_view ToString(EncryptionAlgo v) {
  return kEncryptionAlgoNames[static_cast<int>(v)];
}
inline std::string_view ToString(AuthMethod v) { return kAuthMethodNames[static_cast<int>(v)]; }
inline std::string_view ToString(ClusterMode v) { return kClusterModeNames[static_cast<int>(v)]; }
inline std::string_view ToString(PlacementStrategy v) {
  return kPlacementStrategyNames[static_cast<int>(v)];
}

struct SystemConfig {
  std::string node_id;   // default: the host name
  std::string data_dir;  // absolute after LoadConfig; default $XDG_STATE_HOME/novacron or ./var
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kAuto;
  int max_concurrency = 8;
  BootStrategy boot_strategy = BootStrategy::kEager;
  Duration start_timeout = std::chrono::seconds(30);
  Duration stop_timeout = std::chrono::seconds(10);
  Duration shutdown_timeout = std::chrono::seconds(30);
  int health_check_port = 0;      // 0: served on the API listener
  bool allow_failpoints = false;  // honour NOVACRON_FAILPOINTS (drills and tests only)
};

// Preflight thresholds; 0 / kAuto mean "from the profile" (see ResolveResourceThresholds).
struct ResourcesConfig {
  ResourceProfile profile = ResourceProfile::kDefault;
  int min_cpus = 0;
  int64_t min_memory_mib = 0;
  int64_t min_disk_free_mib = 0;
  KvmRequirement require_kvm = KvmRequirement::kAuto;
};

struct DwcpTransportConfig {
  int min_streams = 4;
  int max_streams = 256;
  Duration stream_timeout = std::chrono::seconds(60);
  bool enable_rdma = false;
  CongestionAlgo congestion_algo = CongestionAlgo::kCubic;
};

struct DwcpCompressionConfig {
  CompressionAlgo algorithm = CompressionAlgo::kZstd;
  int level = 3;
  bool enable_delta = true;
};

struct DwcpConsensusConfig {
  ConsensusProtocol protocol = ConsensusProtocol::kRaft;
  Duration heartbeat_interval = std::chrono::milliseconds(500);
  Duration election_timeout = std::chrono::seconds(5);
};

struct DwcpConfig {
  bool enable_auto_detection = true;
  DwcpMode forced_mode = DwcpMode::kAuto;
  Duration detection_interval = std::chrono::seconds(30);
  Duration detection_timeout = std::chrono::seconds(2);
  std::vector<std::string> detection_peers;  // host:port
  int v3_rollout_percentage = 0;
  bool enable_v3_transport = false;
  bool enable_v3_compression = false;
  bool enable_v3_prediction = false;
  bool enable_v3_state_sync = false;
  bool enable_v3_consensus = false;
  bool enable_v3_placement = false;
  DwcpTransportConfig transport;
  DwcpCompressionConfig compression;
  DwcpConsensusConfig consensus;
};

// The data-plane listener.
struct NetworkConfig {
  std::string listen_address = "127.0.0.1";
  int bind_port = 9090;
  int max_connections = 10000;
  Duration conn_timeout = std::chrono::seconds(30);
  bool enable_tls = false;
  std::string tls_cert_path;
  std::string tls_key_path;
};

struct StorageConfig {
  StorageBackend backend = StorageBackend::kSqlite;
  std::string connection_string;  // secret
  int max_connections = 100;
  // Bound on connecting at boot (with retries); past it the database component fails.
  Duration connect_timeout = std::chrono::seconds(10);
  bool enable_cache = true;
  Duration cache_ttl = std::chrono::minutes(5);
  CacheBackend cache_backend = CacheBackend::kMemory;
  std::string redis_url;  // secret: redis://[:password@]host:port[/db]
  int cache_max_entries = 10000;
};

// VMs on this node's hypervisor.
struct VmConfig {
  std::string hypervisor_uri = "qemu:///system";
  DomainType domain_type = DomainType::kKvm;
  std::string disk_dir;  // empty: <data_dir>/vms
  int cpu_overcommit_percent = 400;
  int memory_overcommit_percent = 100;
  Duration shutdown_timeout = std::chrono::seconds(30);
  Duration reconcile_interval = std::chrono::seconds(30);
  std::vector<std::string> image_dirs;  // empty: <data_dir>/images
};

struct MonitoringConfig {
  bool enable_metrics = true;
  int metrics_port = 0;  // 0: served on the API listener
  bool enable_tracing = false;
  std::string tracing_endpoint;
  bool enable_profiling = false;
  int profiling_port = 6060;
};

struct TlsConfig {
  std::string cert_file;  // empty: the API speaks plain HTTP
  std::string key_file;
  std::string ca_file;  // client certificates are verified against it (mtls)
};

struct SecurityConfig {
  bool enable_auth = false;
  AuthMethod auth_method = AuthMethod::kNone;
  std::string api_token;  // secret
  std::vector<std::string> trusted_nodes;
  bool enable_encryption = false;
  EncryptionAlgo encryption_algo = EncryptionAlgo::kAes256Gcm;
  Duration key_rotation_interval = std::chrono::hours(24);
  Duration audit_retention = std::chrono::hours(90 * 24);
  int64_t audit_rotate_bytes = 64 << 20;  // audit.log is rotated when it grows past this
  std::string key_file;  // AES-256-GCM key for enc:v1: values; or NOVACRON_SECRET_KEY
  TlsConfig tls;
};

struct ApiConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: ephemeral
  std::vector<std::string> cors_allowed_origins;
  int rate_limit = 1000;  // requests per minute
  int64_t max_body_bytes = 1 << 20;
  int64_t max_header_bytes = 16 << 10;
  int max_connections_per_client = 256;  // open connections per client address
  int handler_threads = 8;               // threads that run request handlers, off the I/O threads
  bool open_health = true;               // health probes answer without a token from any address
  bool open_metrics = false;  // /metrics answers without a token from non-loopback addresses
};

// Membership of an etcd cluster (issue 9). In standalone mode only `mode` is used.
struct ClusterConfig {
  ClusterMode mode = ClusterMode::kStandalone;
  // "host:port", "http://host:port" or "https://host:port" (https:// needs etcd_ca_file).
  std::vector<std::string> etcd_endpoints;
  // A node silent this long is lost to the others; it fences itself after the same time.
  Duration lease_ttl = std::chrono::seconds(10);
  // Waited after a lost node's lease lapsed, before its HA VMs are restarted elsewhere.
  Duration failover_grace = std::chrono::seconds(5);
  std::string prefix = "/novacron/";  // of every etcd key; starts and ends with '/'
  PlacementStrategy placement = PlacementStrategy::kSpread;
  std::string etcd_ca_file;    // set: TLS to etcd, its certificates verified against this CA
  std::string etcd_cert_file;  // with etcd_key_file: a client certificate (mTLS)
  std::string etcd_key_file;
  // Bound on reaching etcd at boot (with retries); past it the daemon exits.
  Duration etcd_dial_timeout = std::chrono::seconds(10);
};

struct Config {
  SystemConfig system;
  ResourcesConfig resources;
  DwcpConfig dwcp;
  NetworkConfig network;
  StorageConfig storage;
  VmConfig vm;
  MonitoringConfig monitoring;
  SecurityConfig security;
  ApiConfig api;
  ClusterConfig cluster;
};

}  // namespace novacron::config
