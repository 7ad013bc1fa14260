// Level-2 rules between keys, through LoadConfig so that sources are real.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace novacron::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Errors(const std::string& yaml, std::vector<std::string> sets = {}) {
  LoadOptions options;
  options.hostname = "node-a";
  options.working_dir = "/srv";
  options.config_texts.push_back({"novacron.yaml", yaml});
  options.flags.set = std::move(sets);
  std::vector<ConfigIssue> issues;
  Result<LoadedConfig> loaded = LoadConfig(options, &issues);
  std::vector<std::string> lines;
  for (const ConfigIssue& issue : issues) lines.push_back(FormatIssue(issue));
  EXPECT_EQ(loaded.ok(), lines.empty());
  return lines;
}

// The warnings of a load that must succeed.
std::vector<std::string> Warnings(const std::string& yaml, const Environment& env = {}) {
  LoadOptions options;
  options.hostname = "node-a";
  options.working_dir = "/srv";
  options.config_texts.push_back({"novacron.yaml", yaml});
  options.env = env;
  Result<LoadedConfig> loaded = LoadConfig(options);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  std::vector<std::string> lines;
  if (loaded.ok()) {
    for (const ConfigIssue& issue : loaded->warnings) lines.push_back(FormatIssue(issue));
  }
  return lines;
}

TEST(CrossField, MinStreamsNotAboveMaxStreams) {
  EXPECT_THAT(Errors("dwcp:\n  transport:\n    min_streams: 64\n    max_streams: 32\n"),
              ElementsAre("novacron.yaml:3:18: dwcp.transport.min_streams: min_streams 64 is "
                          "greater than max_streams 32"));
  // Blamed on the key set by the strongest source.
  EXPECT_THAT(
      Errors("dwcp:\n  transport:\n    min_streams: 64\n", {"dwcp.transport.max_streams=8"}),
      ElementsAre("--set dwcp.transport.max_streams: min_streams 64 is greater than "
                  "max_streams 8"));
  EXPECT_THAT(Errors("dwcp:\n  transport:\n    min_streams: 32\n    max_streams: 32\n"), IsEmpty());
}

TEST(CrossField, TlsNeedsCertificateAndKey) {
  EXPECT_THAT(Errors("network:\n  enable_tls: true\n"),
              ElementsAre("novacron.yaml:2:15: network.enable_tls: enable_tls requires "
                          "network.tls_cert_path",
                          "novacron.yaml:2:15: network.enable_tls: enable_tls requires "
                          "network.tls_key_path"));
  EXPECT_THAT(Errors("network:\n  enable_tls: true\n  tls_cert_path: /c.pem\n"
                     "  tls_key_path: /k.pem\n"),
              IsEmpty());
}

TEST(CrossField, ApiTlsNeedsKeyAndMtlsNeedsCa) {
  EXPECT_THAT(Errors("security:\n  tls:\n    cert_file: /c.pem\n"),
              ElementsAre("novacron.yaml:3:16: security.tls.cert_file: cert_file requires "
                          "security.tls.key_file (the certificate's private key)"));
  EXPECT_THAT(Errors("security:\n  tls:\n    key_file: /k.pem\n"),
              ElementsAre("novacron.yaml:3:15: security.tls.key_file: key_file requires "
                          "security.tls.cert_file (TLS is on only with a certificate)"));
  EXPECT_THAT(Errors("security:\n  auth_method: mtls\n  tls:\n    cert_file: /c.pem\n"
                     "    key_file: /k.pem\n"),
              ElementsAre("novacron.yaml:2:16: security.auth_method: auth_method mtls requires "
                          "TLS (security.tls.cert_file, key_file) and security.tls.ca_file to "
                          "verify client certificates"));
  EXPECT_THAT(Errors("security:\n  auth_method: mtls\n  tls:\n    cert_file: /c.pem\n"
                     "    key_file: /k.pem\n    ca_file: /ca.pem\n"),
              IsEmpty());
}

TEST(CrossField, AuthNeedsAMethod) {
  EXPECT_THAT(Errors("security:\n  enable_auth: true\n"),
              ElementsAre("novacron.yaml:2:16: security.enable_auth: enable_auth requires "
                          "security.auth_method mtls or token, not none"));
  // Tokens live in the state store (`novacron token create`); api_token is optional.
  EXPECT_THAT(Errors("security:\n  enable_auth: true\n  auth_method: token\n"), IsEmpty());
}

TEST(CrossField, ListeningBeyondLoopbackNeedsAuth) {
  EXPECT_THAT(Errors("api:\n  host: 0.0.0.0\n"),
              ElementsAre(HasSubstr("novacron.yaml:2:9: api.host: api.host 0.0.0.0 is reachable "
                                    "from other machines, so security.enable_auth must be true")));
  EXPECT_THAT(Errors("api:\n  host: 0.0.0.0\nsecurity:\n  enable_auth: true\n  auth_method: "
                     "token\n"),
              IsEmpty());
  for (const char* host : {"127.0.0.1", "127.9.9.9", "::1", "localhost"}) {
    EXPECT_THAT(Errors(std::string("api:\n  host: \"") + host + "\"\n"), IsEmpty()) << host;
  }
}

TEST(CrossField, PostgresNeedsConnectionString) {
  EXPECT_THAT(Errors("storage:\n  backend: postgres\n"),
              ElementsAre("novacron.yaml:2:12: storage.backend: backend postgres requires "
                          "storage.connection_string"));
  EXPECT_THAT(Errors("storage:\n  backend: postgres\n  connection_string: postgres://db/nc\n"),
              IsEmpty());
}

TEST(CrossField, TimingRules) {
  EXPECT_THAT(Errors("dwcp:\n  consensus:\n    heartbeat_interval: 5s\n"),
              ElementsAre("novacron.yaml:3:25: dwcp.consensus.heartbeat_interval: "
                          "heartbeat_interval 5s must be shorter than election_timeout 5s"));
  EXPECT_THAT(Errors("dwcp:\n  detection_timeout: 1m\n"),
              ElementsAre("novacron.yaml:2:22: dwcp.detection_timeout: detection_timeout 1m is "
                          "longer than detection_interval 30s"));
}

TEST(CrossField, TracingNeedsEndpointAndPortsMustDiffer) {
  EXPECT_THAT(Errors("monitoring:\n  enable_tracing: true\n"),
              ElementsAre("novacron.yaml:2:19: monitoring.enable_tracing: enable_tracing "
                          "requires monitoring.tracing_endpoint"));
  EXPECT_THAT(Errors("monitoring:\n  metrics_port: 8080\n"),
              ElementsAre("novacron.yaml:2:17: monitoring.metrics_port: port 8080 is also used "
                          "by api.port"));
  // The data plane on another address may reuse the number.
  EXPECT_THAT(Errors("network:\n  listen_address: 10.0.0.5\n  bind_port: 8080\n"), IsEmpty());
  EXPECT_THAT(Errors("network:\n  bind_port: 8080\n"),
              ElementsAre("novacron.yaml:2:14: network.bind_port: port 8080 is also used by "
                          "api.port"));
}

TEST(CrossField, EtcdModeNeedsEndpoints) {
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n"),
              ElementsAre("novacron.yaml:2:9: cluster.mode: mode etcd requires "
                          "cluster.etcd_endpoints, the etcd members as HOST:PORT (a list in the "
                          "file, or NOVACRON_CLUSTER_ETCD_ENDPOINTS=10.0.0.1:2379,10.0.0.2:2379)"));
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n  etcd_endpoints: []\n"),
              ElementsAre(HasSubstr("cluster.mode: mode etcd requires cluster.etcd_endpoints")));
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n  etcd_endpoints: [\"127.0.0.1:2379\"]\n"),
              IsEmpty());
}

TEST(CrossField, EtcdSchemeMustAgreeWithCaFile) {
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n  etcd_endpoints: [\"a:1\", \"https://b:2\"]\n"),
              ElementsAre("novacron.yaml:3:19: cluster.etcd_endpoints: etcd endpoint https://b:2 "
                          "is https:// but cluster.etcd_ca_file is not set (the CA that etcd's "
                          "certificates are verified against)"));
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n  etcd_endpoints: [\"http://b:2\"]\n"
                     "  etcd_ca_file: /ca.pem\n"),
              ElementsAre("novacron.yaml:3:19: cluster.etcd_endpoints: etcd endpoint http://b:2 "
                          "is http:// but cluster.etcd_ca_file is set, which means TLS to etcd; "
                          "use https:// or HOST:PORT"));
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n  etcd_endpoints: [\"a:1\", \"https://b:2\"]\n"
                     "  etcd_ca_file: /ca.pem\n"),
              IsEmpty());
}

TEST(CrossField, EtcdClientCertificateNeedsKeyAndCa) {
  const std::string etcd = "cluster:\n  mode: etcd\n  etcd_endpoints: [\"a:1\"]\n";
  EXPECT_THAT(Errors(etcd + "  etcd_ca_file: /ca.pem\n  etcd_cert_file: /c.pem\n"),
              ElementsAre("novacron.yaml:5:19: cluster.etcd_cert_file: etcd_cert_file requires "
                          "cluster.etcd_key_file (the certificate's private key)"));
  EXPECT_THAT(Errors(etcd + "  etcd_ca_file: /ca.pem\n  etcd_key_file: /k.pem\n"),
              ElementsAre("novacron.yaml:5:18: cluster.etcd_key_file: etcd_key_file requires "
                          "cluster.etcd_cert_file (the client certificate)"));
  EXPECT_THAT(Errors(etcd + "  etcd_cert_file: /c.pem\n  etcd_key_file: /k.pem\n"),
              ElementsAre("novacron.yaml:4:19: cluster.etcd_cert_file: etcd_cert_file requires "
                          "cluster.etcd_ca_file: a client certificate is only sent over TLS"));
  EXPECT_THAT(Errors(etcd + "  etcd_ca_file: /ca.pem\n  etcd_cert_file: /c.pem\n"
                            "  etcd_key_file: /k.pem\n"),
              IsEmpty());
}

TEST(CrossField, LeaseTtlIsWholeSeconds) {
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n  etcd_endpoints: [\"a:1\"]\n"
                     "  lease_ttl: 2500ms\n"),
              ElementsAre("novacron.yaml:4:14: cluster.lease_ttl: lease_ttl 2s500ms must be whole "
                          "seconds (etcd leases are)"));
}

// Placement and failover are built: their keys are accepted (docs/cluster.md).
TEST(CrossField, PlacementAndFailoverKeysAreAccepted) {
  EXPECT_THAT(Errors("cluster:\n  mode: etcd\n  etcd_endpoints: [\"a:1\"]\n"
                     "  placement: pack\n  failover_grace: 0s\n"),
              ::testing::IsEmpty());
}

// Standalone ignores the other cluster keys: changing one is accepted, with a warning, and their
// rules against each other are not checked (as network.tls_* without enable_tls).
TEST(CrossField, ClusterKeysInStandaloneModeAreWarnings) {
  EXPECT_THAT(Warnings("cluster:\n  mode: standalone\n"), IsEmpty());
  // Defaults spelled out, as `config show` writes them, are not a change.
  EXPECT_THAT(Warnings("cluster:\n  etcd_endpoints: []\n  lease_ttl: 10s\n  prefix: /novacron/\n"),
              IsEmpty());
  EXPECT_THAT(
      Warnings("cluster:\n  etcd_endpoints: [\"https://a:1\"]\n  etcd_cert_file: /c.pem\n"
               "  placement: pack\n",
               {{"NOVACRON_CLUSTER_LEASE_TTL", "2500ms"}}),
      ElementsAre("warning: novacron.yaml:2:19: cluster.etcd_endpoints: ignored: cluster.mode is "
                  "standalone; this key applies only in etcd mode",
                  "warning: env NOVACRON_CLUSTER_LEASE_TTL: cluster.lease_ttl: ignored: "
                  "cluster.mode is standalone; this key applies only in etcd mode",
                  "warning: novacron.yaml:4:14: cluster.placement: ignored: cluster.mode is "
                  "standalone; this key applies only in etcd mode",
                  "warning: novacron.yaml:3:19: cluster.etcd_cert_file: ignored: cluster.mode is "
                  "standalone; this key applies only in etcd mode"));
  // A malformed value is still an error: it is checked when it is read.
  EXPECT_THAT(Errors("cluster:\n  prefix: novacron\n"),
              ElementsAre("novacron.yaml:2:11: cluster.prefix: must start and end with '/', got "
                          "\"novacron\""));
}

}  // namespace
}  // namespace novacron::config
