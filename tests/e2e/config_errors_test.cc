// Bad configuration through the real binary: exit 2, the file:line and key named, nothing
// started.
#include <gtest/gtest.h>

#include "support/process.h"

namespace novacron::testing {
namespace {

struct Case {
  const char* name;
  const char* yaml;
  std::vector<std::string> expected;  // substrings of stderr
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ConfigErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConfigErrorTest, ValidateAndRunExit2NamingFileLineAndKey) {
  const Case& c = GetParam();
  TempDir dir;
  std::filesystem::path cfg = dir.Write("novacron.yaml", c.yaml);
  for (const char* command : {"validate", "run"}) {
    std::vector<std::string> args =
        std::string(command) == "run"
            ? std::vector<std::string>{"run", "--config", cfg.string(), "--data-dir",
                                       (dir.path() / "data").string()}
            : std::vector<std::string>{"config", "validate", "--config", cfg.string()};
    CommandResult r = RunNovacron(args);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.err;
    for (const auto& s : c.expected) {
      EXPECT_NE(r.err.find(s), std::string::npos) << command << " should say " << s << ":\n"
                                                  << r.err;
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "novacron.db"))
      << "nothing may start on a bad configuration";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigErrorTest,
    ::testing::Values(
        Case{"BrokenYaml", "system:\n  node_id: [a\n", {"novacron.yaml:"}},
        Case{"WrongType",
             "system:\n  max_concurrency: abc\n",
             {"novacron.yaml:2", "system.max_concurrency", "integer"}},
        Case{"UnknownKey",
             "system:\n  max_concurency: 4\n",
             {"novacron.yaml:2", "max_concurency", "did you mean 'system.max_concurrency'"}},
        Case{"OutOfRange",
             "dwcp:\n  transport:\n    max_streams: 99999\n",
             {"novacron.yaml:3", "dwcp.transport.max_streams", "99999"}},
        Case{"AllErrorsAtOnce",
             "system:\n  max_concurrency: abc\n  log_level: loud\n",
             {"novacron.yaml:2", "novacron.yaml:3", "system.log_level"}},
        Case{"BadEtcdEndpoint",
             "cluster:\n  mode: etcd\n  etcd_endpoints:\n    - 10.0.0.1:2379\n    - etcd-2\n",
             {"novacron.yaml:5", "cluster.etcd_endpoints", "\"etcd-2\""}},
        Case{"EtcdModeWithoutEndpoints",
             "cluster:\n  mode: etcd\n",
             {"novacron.yaml:2", "cluster.etcd_endpoints", "NOVACRON_CLUSTER_ETCD_ENDPOINTS"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigEnvTest, BadEnvironmentValueExits2NamingVariableAndKey) {
  CommandResult r =
      RunNovacron({"config", "validate"}, {{"NOVACRON_SYSTEM_MAX_CONCURRENCY", "abc"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("NOVACRON_SYSTEM_MAX_CONCURRENCY"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("system.max_concurrency"), std::string::npos) << r.err;
}

// Standalone ignores the other cluster keys: accepted, with a warning on stderr.
TEST(ConfigEnvTest, EtcdKeysInStandaloneModeAreAWarning) {
  TempDir dir;
  CommandResult r =
      RunNovacron({"config", "validate", "--data-dir", (dir.path() / "data").string()},
                  {{"NOVACRON_CLUSTER_ETCD_ENDPOINTS", "10.0.0.1:2379"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: env NOVACRON_CLUSTER_ETCD_ENDPOINTS: cluster.etcd_endpoints: "
                       "ignored"),
            std::string::npos)
      << r.err;
}

TEST(ConfigEnvTest, BadSetFlagExits2) {
  CommandResult r = RunNovacron({"config", "validate", "--set", "system.log_level=loud"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("system.log_level"), std::string::npos) << r.err;
}

TEST(ConfigShowTest, SecretsAreMaskedAndSourcesShown) {
  TempDir dir;
  std::filesystem::path cfg = dir.Write(
      "novacron.yaml", "storage:\n  connection_string: ${DB_URL}\nsystem:\n  node_id: n1\n");
  CommandResult r = RunNovacron(
      {"config", "show", "--sources", "--config", cfg.string()},
      {{"DB_URL", "postgres://u:hunter2@db/x"}, {"NOVACRON_SYSTEM_MAX_CONCURRENCY", "5"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("********"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NOVACRON_SYSTEM_MAX_CONCURRENCY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("novacron.yaml:4"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace novacron::testing
