#include "config/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "config/render.h"
#include "config/temp_dir_for_test.h"

namespace novacron::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

LoadOptions Base() {
  LoadOptions options;
  options.hostname = "node-a";
  options.working_dir = "/srv/novacron";
  return options;
}

LoadOptions WithYaml(const std::string& text, const std::string& name = "novacron.yaml") {
  LoadOptions options = Base();
  options.config_texts.push_back({name, text});
  return options;
}

LoadedConfig MustLoad(const LoadOptions& options) {
  Result<LoadedConfig> loaded = LoadConfig(options);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.ok() ? std::move(loaded).value() : LoadedConfig{};
}

// The formatted issues of a load that must fail.
std::vector<std::string> Errors(const LoadOptions& options) {
  std::vector<ConfigIssue> issues;
  Result<LoadedConfig> loaded = LoadConfig(options, &issues);
  EXPECT_FALSE(loaded.ok());
  std::vector<std::string> lines;
  for (const ConfigIssue& issue : issues) {
    if (issue.severity == Severity::kError) lines.push_back(FormatIssue(issue));
  }
  return lines;
}

TEST(LoadConfig, DefaultsWithoutAnyInput) {
  LoadedConfig loaded = MustLoad(Base());
  const Config& c = loaded.config;
  EXPECT_EQ(c.system.node_id, "node-a");
  EXPECT_EQ(c.system.data_dir, "/srv/novacron/var");
  EXPECT_EQ(loaded.data_dir_as_written, "./var");
  EXPECT_EQ(c.system.log_level, LogLevel::kInfo);
  EXPECT_EQ(c.system.max_concurrency, 8);
  EXPECT_EQ(c.api.host, "127.0.0.1");
  EXPECT_EQ(c.api.port, 8080);
  EXPECT_EQ(c.api.max_body_bytes, 1 << 20);
  EXPECT_EQ(c.security.audit_retention, std::chrono::hours(24 * 90));
  EXPECT_EQ(loaded.SourceOf("system.node_id").ToString(), "default (host name)");
  EXPECT_EQ(loaded.SourceOf("api.port").ToString(), "default");
  EXPECT_TRUE(loaded.warnings.empty());
}

TEST(LoadConfig, DataDirDefaultFollowsXdgStateHome) {
  LoadOptions options = Base();
  options.env["XDG_STATE_HOME"] = "/home/u/.local/state";
  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.system.data_dir, "/home/u/.local/state/novacron");
  EXPECT_EQ(loaded.SourceOf("system.data_dir").ToString(), "default ($XDG_STATE_HOME/novacron)");
}

TEST(LoadConfig, FlagBeatsEnvBeatsFileBeatsDefault) {
  LoadOptions options = WithYaml(
      "system:\n"
      "  log_level: warn\n"
      "  max_concurrency: 4\n"
      "api:\n"
      "  rate_limit: 10\n");
  options.env["NOVACRON_SYSTEM_MAX_CONCURRENCY"] = "6";
  options.env["NOVACRON_API_RATE_LIMIT"] = "20";
  options.flags.set = {"api.rate_limit=30"};

  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.system.log_level, LogLevel::kWarn);
  EXPECT_EQ(loaded.SourceOf("system.log_level").ToString(), "novacron.yaml:2");
  EXPECT_EQ(loaded.config.system.max_concurrency, 6);
  EXPECT_EQ(loaded.SourceOf("system.max_concurrency").ToString(),
            "env NOVACRON_SYSTEM_MAX_CONCURRENCY");
  EXPECT_EQ(loaded.config.api.rate_limit, 30);
  EXPECT_EQ(loaded.SourceOf("api.rate_limit").ToString(), "--set");
  EXPECT_EQ(loaded.SourceOf("api.rate_limit").kind, SourceKind::kFlag);
  EXPECT_EQ(loaded.config.api.port, 8080);
  EXPECT_EQ(loaded.SourceOf("api.port").kind, SourceKind::kDefault);
}

TEST(LoadConfig, LaterFilesAndLaterSetsWin) {
  LoadOptions options = Base();
  options.config_texts.push_back({"a.yaml", "api:\n  port: 1000\n  rate_limit: 1\n"});
  options.config_texts.push_back({"b.yaml", "api:\n  port: 2000\n"});
  options.flags.set = {"system.max_concurrency=2", "system.max_concurrency=3"};
  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.api.port, 2000);
  EXPECT_EQ(loaded.SourceOf("api.port").ToString(), "b.yaml:2");
  EXPECT_EQ(loaded.config.api.rate_limit, 1);
  EXPECT_EQ(loaded.SourceOf("api.rate_limit").ToString(), "a.yaml:3");
  EXPECT_EQ(loaded.config.system.max_concurrency, 3);
}

TEST(LoadConfig, ShortEnvironmentForms) {
  LoadOptions options = Base();
  options.env["NOVACRON_NODE_ID"] = "hv-07";
  options.env["NOVACRON_DATA_DIR"] = "/data/nc";
  options.env["NOVACRON_LOG_LEVEL"] = "DEBUG";
  options.env["NOVACRON_DWCP_MODE"] = "internet";
  options.env["NOVACRON_LISTEN_ADDRESS"] = "[::1]:9443";
  LoadedConfig loaded = MustLoad(options);
  const Config& c = loaded.config;
  EXPECT_EQ(c.system.node_id, "hv-07");
  EXPECT_EQ(c.system.data_dir, "/data/nc");
  EXPECT_EQ(c.system.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.dwcp.forced_mode, DwcpMode::kInternet);
  EXPECT_EQ(c.api.host, "::1");
  EXPECT_EQ(c.api.port, 9443);
  EXPECT_EQ(loaded.SourceOf("api.port").ToString(), "env NOVACRON_LISTEN_ADDRESS");
  EXPECT_EQ(loaded.SourceOf("dwcp.forced_mode").ToString(), "env NOVACRON_DWCP_MODE");
  EXPECT_TRUE(loaded.warnings.empty());
}

TEST(LoadConfig, LongEnvironmentFormBeatsShortFormWithAWarning) {
  LoadOptions options = Base();
  options.env["NOVACRON_NODE_ID"] = "short";
  options.env["NOVACRON_SYSTEM_NODE_ID"] = "long";
  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.system.node_id, "long");
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_THAT(FormatIssue(loaded.warnings[0]),
              HasSubstr("env NOVACRON_NODE_ID: system.node_id: ignored"));
}

TEST(LoadConfig, UnknownNovacronVariableIsAWarningExceptForeignOnes) {
  LoadOptions options = Base();
  options.env["NOVACRON_SERVER"] = "http://127.0.0.1:8080";  // the CLI's
  options.env["NOVACRON_SYSTEM_MAX_CONCURENCY"] = "3";
  options.env["PATH"] = "/usr/bin";
  LoadedConfig loaded = MustLoad(options);
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(FormatIssue(loaded.warnings[0]),
            "warning: env NOVACRON_SYSTEM_MAX_CONCURENCY: unknown configuration variable, "
            "ignored (did you mean 'NOVACRON_SYSTEM_MAX_CONCURRENCY'?)");
  EXPECT_EQ(loaded.config.system.max_concurrency, 8);
}

TEST(LoadConfig, ListsFromEnvironmentAndFlagsAreCommaSeparated) {
  LoadOptions options = Base();
  options.env["NOVACRON_DWCP_DETECTION_PEERS"] = "10.0.0.1:9090, [fd00::2]:9090";
  options.flags.set = {"api.cors_allowed_origins=https://a.example,https://b.example"};
  LoadedConfig loaded = MustLoad(options);
  EXPECT_THAT(loaded.config.dwcp.detection_peers, ElementsAre("10.0.0.1:9090", "[fd00::2]:9090"));
  EXPECT_THAT(loaded.config.api.cors_allowed_origins,
              ElementsAre("https://a.example", "https://b.example"));
}

TEST(LoadConfig, ListsInFiles) {
  LoadedConfig loaded =
      MustLoad(WithYaml("security:\n"
                        "  trusted_nodes:\n"
                        "    - hv-01\n"
                        "    - hv-02\n"
                        "dwcp:\n"
                        "  detection_peers: [\"a:1\", \"b:2\"]\n"
                        "api:\n"
                        "  cors_allowed_origins: []\n"));
  EXPECT_THAT(loaded.config.security.trusted_nodes, ElementsAre("hv-01", "hv-02"));
  EXPECT_THAT(loaded.config.dwcp.detection_peers, ElementsAre("a:1", "b:2"));
  EXPECT_TRUE(loaded.config.api.cors_allowed_origins.empty());
}

TEST(LoadConfig, ClusterKeys) {
  LoadedConfig loaded = MustLoad(Base());
  EXPECT_EQ(loaded.config.cluster.mode, ClusterMode::kStandalone);
  EXPECT_TRUE(loaded.config.cluster.etcd_endpoints.empty());
  EXPECT_EQ(loaded.config.cluster.prefix, "/novacron/");

  loaded =
      MustLoad(WithYaml("cluster:\n"
                        "  mode: etcd\n"
                        "  etcd_endpoints:\n"
                        "    - 10.0.0.1:2379\n"
                        "    - https://etcd-2.example:2379\n"
                        "  lease_ttl: 15s\n"
                        "  prefix: /nc/prod/\n"
                        "  etcd_ca_file: /etc/novacron/etcd-ca.pem\n"
                        "  etcd_cert_file: /etc/novacron/etcd.pem\n"
                        "  etcd_key_file: /etc/novacron/etcd.key\n"
                        "  etcd_dial_timeout: 1m\n"));
  const ClusterConfig& c = loaded.config.cluster;
  EXPECT_EQ(c.mode, ClusterMode::kEtcd);
  EXPECT_THAT(c.etcd_endpoints, ElementsAre("10.0.0.1:2379", "https://etcd-2.example:2379"));
  EXPECT_EQ(c.lease_ttl, std::chrono::seconds(15));
  EXPECT_EQ(c.prefix, "/nc/prod/");
  EXPECT_EQ(c.etcd_ca_file, "/etc/novacron/etcd-ca.pem");
  EXPECT_EQ(c.etcd_cert_file, "/etc/novacron/etcd.pem");
  EXPECT_EQ(c.etcd_key_file, "/etc/novacron/etcd.key");
  EXPECT_EQ(c.etcd_dial_timeout, std::chrono::minutes(1));
  EXPECT_EQ(loaded.SourceOf("cluster.etcd_endpoints").ToString(), "novacron.yaml:4");
  EXPECT_TRUE(loaded.warnings.empty()) << FormatIssues(loaded.warnings);
}

// Each bad list item is reported at its own line, naming it; the mode's "requires endpoints"
// rule does not pile on when the list itself was refused.
TEST(LoadConfig, BadEtcdEndpointNamesTheEntryAndItsLine) {
  EXPECT_THAT(Errors(WithYaml("cluster:\n"
                              "  mode: etcd\n"
                              "  etcd_endpoints:\n"
                              "    - 10.0.0.1:2379\n"
                              "    - 10.0.0.2\n"
                              "    - \"etcd-3:99999\"\n")),
              ElementsAre("novacron.yaml:5:7: cluster.etcd_endpoints: item 2: expected HOST:PORT, "
                          "http://HOST:PORT or https://HOST:PORT with a port 1..65535, got "
                          "\"10.0.0.2\"",
                          "novacron.yaml:6:7: cluster.etcd_endpoints: item 3: expected HOST:PORT, "
                          "http://HOST:PORT or https://HOST:PORT with a port 1..65535, got "
                          "\"etcd-3:99999\""));
  EXPECT_THAT(Errors(WithYaml("cluster:\n  etcd_endpoints: [\"a:1\", \"b\"]\n")),
              ElementsAre(HasSubstr("novacron.yaml:2:27: cluster.etcd_endpoints: item 2: "
                                    "expected HOST:PORT")));
}

TEST(LoadConfig, EtcdEndpointsFromEnvironmentOverrideTheFile) {
  LoadOptions options = WithYaml("cluster:\n  mode: etcd\n  etcd_endpoints: [\"old:2379\"]\n");
  options.env["NOVACRON_CLUSTER_ETCD_ENDPOINTS"] = "10.0.0.1:2379, 10.0.0.2:2379,10.0.0.3:2379";
  LoadedConfig loaded = MustLoad(options);
  EXPECT_THAT(loaded.config.cluster.etcd_endpoints,
              ElementsAre("10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379"));
  EXPECT_EQ(loaded.SourceOf("cluster.etcd_endpoints").ToString(),
            "env NOVACRON_CLUSTER_ETCD_ENDPOINTS");

  options = Base();
  options.env["NOVACRON_CLUSTER_MODE"] = "etcd";
  options.env["NOVACRON_CLUSTER_ETCD_ENDPOINTS"] = "10.0.0.1:2379,etcd-2";
  EXPECT_THAT(Errors(options),
              ElementsAre("env NOVACRON_CLUSTER_ETCD_ENDPOINTS: cluster.etcd_endpoints: item 2: "
                          "expected HOST:PORT, http://HOST:PORT or https://HOST:PORT with a port "
                          "1..65535, got \"etcd-2\""));
}

TEST(LoadConfig, InterpolatesVariablesInFileValues) {
  LoadOptions options = WithYaml(
      "storage:\n"
      "  backend: postgres\n"
      "  connection_string: \"postgres://nc:${DB_PASSWORD}@db/nc\"\n"
      "monitoring:\n"
      "  tracing_endpoint: ${OTLP_ENDPOINT:-http://localhost:4318}\n"
      "api:\n"
      "  port: ${API_PORT}\n");
  options.env["DB_PASSWORD"] = "s3cret";
  options.env["API_PORT"] = "8181";
  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.storage.connection_string, "postgres://nc:s3cret@db/nc");
  EXPECT_EQ(loaded.config.monitoring.tracing_endpoint, "http://localhost:4318");
  EXPECT_EQ(loaded.config.api.port, 8181);
  EXPECT_EQ(loaded.SourceOf("storage.connection_string").ToString(),
            "novacron.yaml:3 (${DB_PASSWORD})");
}

TEST(LoadConfig, UnsetVariableNamesKeyAndPosition) {
  EXPECT_THAT(Errors(WithYaml("storage:\n"
                              "  connection_string: ${DB_URL}\n")),
              ElementsAre("novacron.yaml:2:22: storage.connection_string: environment variable "
                          "DB_URL is not set (use ${DB_URL:-default} for a fallback)"));
}

TEST(LoadConfig, TypeErrorsNameTheirSource) {
  LoadOptions options = WithYaml(
      "system:\n"
      "  max_concurrency: abc\n");
  options.env["NOVACRON_SYSTEM_MAX_CONCURRENCY"] = "abc";
  options.flags.set = {"system.log_level=loud"};
  EXPECT_THAT(
      Errors(options),
      ElementsAre(
          "novacron.yaml:2:20: system.max_concurrency: expected an integer, got \"abc\"",
          "env NOVACRON_SYSTEM_MAX_CONCURRENCY: system.max_concurrency: expected an integer, "
          "got \"abc\"",
          "--set system.log_level: expected one of debug|info|warn|error, got \"loud\""));
}

TEST(LoadConfig, RangeAndEnumErrors) {
  EXPECT_THAT(Errors(WithYaml("dwcp:\n"
                              "  transport:\n"
                              "    max_streams: 9999\n"
                              "  compression:\n"
                              "    algorithm: gzip\n"
                              "  detection_interval: 10\n"
                              "api:\n"
                              "  max_body_bytes: 2GiB\n")),
              ElementsAre("novacron.yaml:3:18: dwcp.transport.max_streams: 9999 is out of range "
                          "1..4096",
                          "novacron.yaml:5:16: dwcp.compression.algorithm: expected one of "
                          "zstd|lz4|none, got \"gzip\"",
                          "novacron.yaml:6:23: dwcp.detection_interval: expected a duration such "
                          "as 500ms, 30s, 5m, 24h, 90d or 1m30s, got \"10\"",
                          "novacron.yaml:8:19: api.max_body_bytes: 2GiB is out of range 1..1GiB"));
}

TEST(LoadConfig, ReportsAllErrorsAtOnce) {
  LoadOptions options = WithYaml(
      "system:\n"
      "  node_id: \"bad id!\"\n"
      "  max_concurency: 3\n"
      "  shutdown_timeout: forever\n"
      "network:\n"
      "  bind_port: 70000\n");
  options.env["NOVACRON_API_PORT"] = "http";
  options.flags.set = {"dwcp.v3_rollout_percentage=101", "nope"};
  options.flags.listen = "[::1";
  std::vector<ConfigIssue> issues;
  Result<LoadedConfig> loaded = LoadConfig(options, &issues);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(issues.size(), 8u) << FormatIssues(issues);
  const std::string& message = loaded.status().message();
  EXPECT_THAT(message, HasSubstr("invalid configuration (8 errors):\n"));
  EXPECT_THAT(message, HasSubstr("novacron.yaml:2:12: system.node_id: may only contain"));
  EXPECT_THAT(message, HasSubstr("novacron.yaml:3:3: system.max_concurency: unknown key (did you "
                                 "mean 'system.max_concurrency'?)"));
  EXPECT_THAT(message, HasSubstr("novacron.yaml:4:21: system.shutdown_timeout: expected a "
                                 "duration"));
  EXPECT_THAT(message, HasSubstr("novacron.yaml:6:14: network.bind_port: 70000 is out of range "
                                 "0..65535"));
  EXPECT_THAT(message, HasSubstr("env NOVACRON_API_PORT: api.port: expected an integer"));
  EXPECT_THAT(message, HasSubstr("--set dwcp.v3_rollout_percentage: 101 is out of range 0..100"));
  EXPECT_THAT(message, HasSubstr("--set nope: expected key.path=value"));
  EXPECT_THAT(message, HasSubstr("--listen api.host: expected HOST, HOST:PORT"));
}

TEST(LoadConfig, DidYouMeanForFilesAndFlags) {
  EXPECT_THAT(Errors(WithYaml("sytem:\n"
                              "  log_level: info\n"
                              "network:\n"
                              "  log_level: debug\n")),
              ElementsAre("novacron.yaml:1:1: sytem: unknown key (did you mean 'system'?)",
                          "novacron.yaml:4:3: network.log_level: unknown key (did you mean "
                          "'system.log_level'?)"));
  LoadOptions options = Base();
  options.flags.set = {"dwcp.transport.max_stream=8", "dwcp.transport=1", "zzzzzz.q=1"};
  EXPECT_THAT(Errors(options),
              ElementsAre("--set dwcp.transport.max_stream: unknown key (did you mean "
                          "'dwcp.transport.max_streams'?)",
                          "--set dwcp.transport: is a section; set one of its keys",
                          "--set zzzzzz.q: unknown key"));
}

TEST(LoadConfig, BrokenYamlNamesLineAndColumn) {
  std::vector<std::string> errors =
      Errors(WithYaml("system:\n"
                      "  node_id: [unclosed\n"
                      "api:\n"
                      "  port: 1\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("novacron.yaml:"));
  EXPECT_THAT(errors[0], HasSubstr(": invalid YAML/JSON: "));
  EXPECT_THAT(errors[0], ::testing::MatchesRegex("novacron\\.yaml:[0-9]+:[0-9]+: .*"));

  EXPECT_THAT(Errors(WithYaml("system:\n  log_level: info\n bad indent: 1\n")),
              ElementsAre(::testing::StartsWith("novacron.yaml:3:")));
}

TEST(LoadConfig, StructuralProblems) {
  EXPECT_THAT(Errors(WithYaml("- a\n- b\n")),
              ElementsAre("novacron.yaml:1:1: expected a mapping of sections (system:, api:, "
                          "...), got a list"));
  EXPECT_THAT(Errors(WithYaml("system: 5\n")),
              ElementsAre("novacron.yaml:1:9: system: expected a section (a mapping of keys), "
                          "got \"5\""));
  EXPECT_THAT(Errors(WithYaml("api:\n  port: 1\n  port: 2\n")),
              ElementsAre("novacron.yaml:3:3: api.port: duplicate key"));
  EXPECT_THAT(Errors(WithYaml("api:\n  port: [1]\n  host:\n    a: b\n")),
              ElementsAre("novacron.yaml:2:9: api.port: expected an integer, got a list",
                          "novacron.yaml:4:5: api.host: expected a string, got a mapping"));
  EXPECT_THAT(Errors(WithYaml("api: {port: 1}\n---\napi: {port: 2}\n")),
              ElementsAre("novacron.yaml:2:1: content after the first document (several YAML "
                          "documents in one file are not supported)"));
  // yaml-cpp 0.7's LoadAll never returns on these.
  for (const char* stray : {"{},", "[],", ",", "a: 1\n...\n,"}) {
    EXPECT_THAT(Errors(WithYaml(stray)),
                ElementsAre(::testing::MatchesRegex("novacron\\.yaml:[0-9]+:[0-9]+: .*")))
        << stray;
  }
  EXPECT_THAT(Errors(WithYaml("api:\n  port:\n")),
              ElementsAre("novacron.yaml:2:3: api.port: expected an integer, got null"));
}

TEST(LoadConfig, EmptyFilesAndNullsAreFine) {
  EXPECT_EQ(MustLoad(WithYaml("")).config.api.port, 8080);
  EXPECT_EQ(MustLoad(WithYaml("# only a comment\n")).config.api.port, 8080);
  LoadedConfig loaded =
      MustLoad(WithYaml("system:\napi:\n  cors_allowed_origins: ~\n  port: 1\n"
                        "network:\n  tls_cert_path:\n"));
  EXPECT_EQ(loaded.config.api.port, 1);
  EXPECT_TRUE(loaded.config.network.tls_cert_path.empty());
  EXPECT_TRUE(loaded.config.api.cors_allowed_origins.empty());
  EXPECT_EQ(MustLoad(WithYaml("dwcp:\n  forced_mode:\n")).config.dwcp.forced_mode, DwcpMode::kAuto);
  // A null string is empty, and an empty host is not allowed.
  EXPECT_THAT(Errors(WithYaml("api:\n  host: null\n")),
              ElementsAre("novacron.yaml:2:3: api.host: must not be empty"));
}

TEST(LoadConfig, JsonFileWithPositions) {
  TempDirForTest dir;
  std::string good = dir.Write("novacron.json", R"({
  "system": {"node_id": "hv-9", "max_concurrency": 16, "log_format": "json"},
  "dwcp": {"transport": {"min_streams": 8, "enable_rdma": true}, "detection_peers": []},
  "api": {"max_header_bytes": 8192, "cors_allowed_origins": ["https://x.example"]}
})");
  LoadOptions options = Base();
  options.config_paths = {good};
  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.system.node_id, "hv-9");
  EXPECT_EQ(loaded.config.system.max_concurrency, 16);
  EXPECT_EQ(loaded.config.system.log_format, LogFormat::kJson);
  EXPECT_EQ(loaded.config.dwcp.transport.min_streams, 8);
  EXPECT_TRUE(loaded.config.dwcp.transport.enable_rdma);
  EXPECT_EQ(loaded.config.api.max_header_bytes, 8192);
  EXPECT_EQ(loaded.SourceOf("system.max_concurrency").ToString(), good + ":2");

  std::string bad = dir.Write("bad.json", "{\n  \"api\": {\"port\": \"x\"},\n  \"sytem\": {}\n}\n");
  options.config_paths = {bad};
  EXPECT_THAT(Errors(options),
              ElementsAre(bad + ":2:19: api.port: expected an integer, got \"x\"",
                          bad + ":3:3: sytem: unknown key (did you mean 'system'?)"));

  std::string broken = dir.Write("broken.json", "{\n  \"api\": {\"port\": 1}\n  \"x\": 2\n}\n");
  options.config_paths = {broken};
  EXPECT_THAT(Errors(options),
              ElementsAre(broken + ":3:3: invalid YAML/JSON: end of map flow not found"));
}

TEST(LoadConfig, FileProblems) {
  TempDirForTest dir;
  LoadOptions options = Base();
  std::string missing = (dir.path() / "missing.yaml").string();
  std::string toml = dir.Write("novacron.toml", "x = 1\n");
  options.config_paths = {missing, toml};
  std::vector<std::string> errors = Errors(options);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], HasSubstr(missing + ": cannot read configuration file: "));
  EXPECT_EQ(errors[1], toml + ": unsupported file type '.toml'; use .yaml, .yml or .json");
}

TEST(LoadConfig, ListenFlagForms) {
  LoadOptions options = Base();
  options.flags.listen = "[::1]:8443";
  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.api.host, "::1");
  EXPECT_EQ(loaded.config.api.port, 8443);
  EXPECT_EQ(loaded.SourceOf("api.host").ToString(), "--listen");

  options.flags.listen = ":9000";  // the port only; the host stays
  loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.api.host, "127.0.0.1");
  EXPECT_EQ(loaded.config.api.port, 9000);
  EXPECT_EQ(loaded.SourceOf("api.host").kind, SourceKind::kDefault);

  options.flags.listen = "0.0.0.0";
  options.env["NOVACRON_SECURITY_ENABLE_AUTH"] = "true";  // beyond loopback: auth required
  options.env["NOVACRON_SECURITY_AUTH_METHOD"] = "token";
  loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.api.host, "0.0.0.0");
  EXPECT_EQ(loaded.config.api.port, 8080);

  options.flags.listen = "host:99999";
  EXPECT_THAT(Errors(options), ElementsAre(HasSubstr("--listen api.host: expected HOST")));
}

TEST(LoadConfig, DataDirFlagsAndResolution) {
  LoadOptions options = Base();
  options.flags.data_dir = "state/../data/";
  options.flags.log_level = "error";
  LoadedConfig loaded = MustLoad(options);
  EXPECT_EQ(loaded.config.system.data_dir, "/srv/novacron/data");
  EXPECT_EQ(loaded.data_dir_as_written, "state/../data/");
  EXPECT_EQ(loaded.SourceOf("system.data_dir").ToString(), "--data-dir");
  EXPECT_EQ(loaded.config.system.log_level, LogLevel::kError);

  options.flags.data_dir = "~/nc";
  options.env["HOME"] = "/home/op";
  EXPECT_EQ(MustLoad(options).config.system.data_dir, "/home/op/nc");
  options.env.erase("HOME");
  EXPECT_THAT(Errors(options),
              ElementsAre("--data-dir system.data_dir: starts with ~ but HOME is not set"));
}

TEST(LoadConfig, BadHostNameDefaultIsReportedUnlessOverridden) {
  LoadOptions options = Base();
  options.hostname = std::string(70, 'h');
  EXPECT_THAT(Errors(options),
              ElementsAre(HasSubstr("default (host name): system.node_id: must be at most 63 "
                                    "characters, got 70 (set it in the file, NOVACRON_NODE_ID")));
  options.env["NOVACRON_NODE_ID"] = "hv-1";
  EXPECT_EQ(MustLoad(options).config.system.node_id, "hv-1");
}

TEST(LoadConfig, BooleansAndEnumsAreLenientAboutCase) {
  LoadOptions options = WithYaml(
      "network:\n  enable_tls: off\n"
      "resources:\n  require_kvm: true\n  profile: Production\n");
  options.env["NOVACRON_STORAGE_ENABLE_CACHE"] = "FALSE";
  LoadedConfig loaded = MustLoad(options);
  EXPECT_FALSE(loaded.config.network.enable_tls);
  EXPECT_FALSE(loaded.config.storage.enable_cache);
  EXPECT_EQ(loaded.config.resources.require_kvm, KvmRequirement::kRequired);
  EXPECT_EQ(loaded.config.resources.profile, ResourceProfile::kProduction);
}

// The daemon may load (SIGHUP) while other threads render or diff: nothing is shared but the
// immutable schema tables, which are built on first use.
TEST(LoadConfig, ConcurrentLoadsAreIndependent) {
  std::vector<std::thread> threads;
  std::vector<int> ports(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([i, &ports] {
      LoadOptions options = WithYaml("api:\n  port: " + std::to_string(1000 + i) + "\n");
      options.env["NOVACRON_SYSTEM_MAX_CONCURENCY"] = "1";  // exercises the suggestion tables
      Result<LoadedConfig> loaded = LoadConfig(options);
      if (!loaded.ok()) return;
      ports[i] = loaded->config.api.port;
      (void)RenderConfig(*loaded, Format::kJson, true);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(ports, ElementsAre(1000, 1001, 1002, 1003));
}

}  // namespace
}  // namespace novacron::config
