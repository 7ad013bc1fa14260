#include "config/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "config/interpolate.h"
#include "config/suggest.h"

namespace novacron::config {
namespace {

using ::testing::HasSubstr;

TEST(Schema, KeysAreUniqueDottedPathsWithDescriptions) {
  std::set<std::string_view> seen;
  for (const KeySpec& spec : Schema()) {
    EXPECT_TRUE(seen.insert(spec.key).second) << spec.key;
    EXPECT_NE(spec.key.find('.'), std::string_view::npos) << spec.key;
    EXPECT_FALSE(spec.description.empty()) << spec.key;
    EXPECT_EQ(FindKey(spec.key), &spec);
    EXPECT_EQ(&Schema()[KeyIndex(spec)], &spec);
    EXPECT_FALSE(IsSection(spec.key)) << spec.key;
    if (spec.type == ValueType::kEnum) {
      EXPECT_FALSE(spec.enum_names.empty()) << spec.key;
    }
    if (spec.type == ValueType::kInt) {
      EXPECT_TRUE(spec.min && spec.max) << spec.key;
    }
  }
  EXPECT_GE(Schema().size(), 70u);
  EXPECT_EQ(FindKey("dwcp.transport"), nullptr);
  EXPECT_TRUE(IsSection("dwcp.transport"));
  EXPECT_TRUE(IsSection("api"));
  EXPECT_FALSE(IsSection("ap"));
}

// Each binding reads and writes its own field, with the C++ type the ValueType promises.
TEST(Schema, DefaultsParseBackAndBindingsRoundTrip) {
  for (const KeySpec& spec : Schema()) {
    SCOPED_TRACE(std::string(spec.key));
    Value def = DefaultValue(spec);
    if (spec.dynamic_default.empty()) {
      EXPECT_EQ(CheckValue(spec, def), "");
    }
    std::string text = FormatValue(spec, def);
    Result<Value> parsed = ParseValue(spec, text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(*parsed, def);

    Config config;
    spec.set(config, def);
    EXPECT_EQ(spec.get(config), def);
    // Writing this key changes no other key.
    Value changed = def;
    switch (spec.type) {
      case ValueType::kString:
        changed = std::string("x-1");
        break;
      case ValueType::kBool:
        changed = !std::get<bool>(def);
        break;
      case ValueType::kDuration:
        changed = std::get<std::chrono::milliseconds>(def) + std::chrono::milliseconds(7);
        break;
      case ValueType::kStringList:
        changed = std::vector<std::string>{"a:1"};
        break;
      case ValueType::kEnum:
        changed = static_cast<int64_t>((std::get<int64_t>(def) + 1) % spec.enum_names.size());
        break;
      default:
        changed = std::get<int64_t>(def) + 1;
        break;
    }
    spec.set(config, changed);
    EXPECT_EQ(spec.get(config), changed);
    for (const KeySpec& other : Schema()) {
      if (&other != &spec) {
        EXPECT_EQ(other.get(config), DefaultValue(other)) << other.key;
      }
    }
  }
}

TEST(Schema, EveryEnumNameParsesToItsIndex) {
  for (const KeySpec& spec : Schema()) {
    for (size_t i = 0; i < spec.enum_names.size(); ++i) {
      Result<Value> v = ParseValue(spec, spec.enum_names[i]);
      ASSERT_TRUE(v.ok()) << spec.key;
      EXPECT_EQ(std::get<int64_t>(*v), static_cast<int64_t>(i));
    }
  }
  EXPECT_EQ(ToString(LogLevel::kWarn), "warn");
  EXPECT_EQ(ToString(DwcpMode::kAuto), "");
  EXPECT_EQ(ToString(KvmRequirement::kRequired), "true");
}

TEST(Schema, ParseValueMessages) {
  const KeySpec& streams = *FindKey("dwcp.transport.max_streams");
  EXPECT_EQ(ParseValue(streams, "abc").status().message(), "expected an integer, got \"abc\"");
  EXPECT_EQ(CheckValue(streams, int64_t{9999}), "9999 is out of range 1..4096");
  EXPECT_EQ(std::get<int64_t>(*ParseValue(streams, " 12 ")), 12);
  EXPECT_FALSE(ParseValue(streams, "99999999999999999999").ok());

  const KeySpec& mode = *FindKey("dwcp.forced_mode");
  EXPECT_EQ(ParseValue(mode, "lan").status().message(),
            "expected one of \"\"|datacenter|internet|hybrid, got \"lan\"");
  EXPECT_EQ(std::get<int64_t>(*ParseValue(mode, "")), 0);

  const KeySpec& flag = *FindKey("network.enable_tls");
  for (const char* yes : {"true", "TRUE", "yes", "on", "1"}) {
    EXPECT_EQ(*ParseValue(flag, yes), Value(true)) << yes;
  }
  EXPECT_FALSE(ParseValue(flag, "maybe").ok());

  const KeySpec& interval = *FindKey("dwcp.detection_interval");
  EXPECT_EQ(CheckValue(interval, std::chrono::milliseconds(10)), "10ms is below the minimum 1s");

  const KeySpec& peers = *FindKey("dwcp.detection_peers");
  EXPECT_THAT(CheckValue(peers, std::vector<std::string>{"a:1", "b"}),
              HasSubstr("item 2: expected HOST:PORT"));
  EXPECT_EQ(FormatValue(peers, std::vector<std::string>{"a:1", "b:2"}), "a:1,b:2");

  const KeySpec& node_id = *FindKey("system.node_id");
  EXPECT_EQ(CheckValue(node_id, std::string("hv-01.rack_2")), "");
  EXPECT_THAT(CheckValue(node_id, std::string("hv 01")), HasSubstr("may only contain"));
  EXPECT_EQ(CheckValue(node_id, std::string()), "must not be empty");
}

TEST(Schema, ClusterDefaults) {
  const ClusterConfig c;
  EXPECT_EQ(c.mode, ClusterMode::kStandalone);
  EXPECT_TRUE(c.etcd_endpoints.empty());
  EXPECT_EQ(c.lease_ttl, std::chrono::seconds(10));
  EXPECT_EQ(c.failover_grace, std::chrono::seconds(5));
  EXPECT_EQ(c.prefix, "/novacron/");
  EXPECT_EQ(c.placement, PlacementStrategy::kSpread);
  EXPECT_EQ(c.etcd_dial_timeout, std::chrono::seconds(10));
  EXPECT_EQ(ToString(ClusterMode::kEtcd), "etcd");
  EXPECT_EQ(ToString(PlacementStrategy::kPack), "pack");
  EXPECT_EQ(FormatValue(*FindKey("cluster.mode"), DefaultValue(*FindKey("cluster.mode"))),
            "standalone");
  // Joining or leaving a cluster takes a restart.
  for (const KeySpec& spec : Schema()) {
    if (spec.key.rfind("cluster.", 0) == 0) {
      EXPECT_FALSE(spec.reloadable) << spec.key;
    }
  }
}

TEST(Schema, ClusterValueRules) {
  const KeySpec& endpoints = *FindKey("cluster.etcd_endpoints");
  EXPECT_EQ(CheckValue(endpoints,
                       std::vector<std::string>{"10.0.0.1:2379", "etcd-2:2379", "[fd00::3]:2379",
                                                "http://e4:2379", "https://e5:2379/"}),
            "");
  for (const char* bad : {"etcd-1", "etcd-1:", ":2379", "etcd-1:0", "etcd-1:65536", "::1:2379",
                          "ftp://etcd-1:2379", "https://etcd-1:2379/v3", "etcd 1:2379"}) {
    EXPECT_EQ(CheckValue(endpoints, std::vector<std::string>{"a:1", bad}),
              std::string("item 2: expected HOST:PORT, http://HOST:PORT or https://HOST:PORT "
                          "with a port 1..65535, got \"") +
                  bad + "\"")
        << bad;
  }
  // Parsed from env and --set as a comma-separated list.
  EXPECT_EQ(*ParseValue(endpoints, "a:1, https://b:2"),
            Value(std::vector<std::string>{"a:1", "https://b:2"}));

  const KeySpec& prefix = *FindKey("cluster.prefix");
  EXPECT_EQ(CheckValue(prefix, std::string("/")), "");
  EXPECT_EQ(CheckValue(prefix, std::string("/nc/prod/")), "");
  for (const char* bad : {"", "novacron/", "/novacron", "novacron"}) {
    EXPECT_EQ(CheckValue(prefix, std::string(bad)),
              std::string("must start and end with '/', got \"") + bad + "\"")
        << bad;
  }
  EXPECT_EQ(CheckValue(prefix, std::string("/nova cron/")),
            "must not contain whitespace, got \"/nova cron/\"");
  EXPECT_EQ(CheckValue(prefix, std::string("/nc\t/")),
            "must not contain whitespace, got \"/nc\t/\"");

  EXPECT_EQ(CheckValue(*FindKey("cluster.lease_ttl"), std::chrono::milliseconds(1500)),
            "1s500ms is out of range 2s..5m");
  EXPECT_EQ(CheckValue(*FindKey("cluster.failover_grace"), std::chrono::milliseconds(0)), "");
  EXPECT_EQ(CheckValue(*FindKey("cluster.failover_grace"), std::chrono::minutes(11)),
            "11m is out of range 0s..10m");
  EXPECT_EQ(CheckValue(*FindKey("cluster.etcd_dial_timeout"), std::chrono::milliseconds(500)),
            "500ms is out of range 1s..5m");
  EXPECT_EQ(ParseValue(*FindKey("cluster.placement"), "binpack").status().message(),
            "expected one of spread|pack, got \"binpack\"");
}

TEST(Schema, SecretsAreNotEchoedInMessages) {
  const KeySpec& token = *FindKey("security.api_token");
  ASSERT_TRUE(token.secret);
  EXPECT_TRUE(FindKey("storage.connection_string")->secret);
  // A secret key of another type would say "(secret)" instead of the text.
  KeySpec secret_int = *FindKey("api.port");
  secret_int.secret = true;
  EXPECT_EQ(ParseValue(secret_int, "hunter2").status().message(),
            "expected an integer, got (secret)");
  EXPECT_EQ(CheckValue(secret_int, int64_t{70000}), "value is out of range 0..65535");
}

TEST(Schema, StringsMustBeUtf8) {
  const KeySpec& endpoint = *FindKey("monitoring.tracing_endpoint");
  EXPECT_TRUE(ParseValue(endpoint, "http://\u00fc.example/\U0001F600").ok());
  for (const char* bad : {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
    EXPECT_EQ(ParseValue(endpoint, bad).status().message(), "value is not valid UTF-8");
    EXPECT_EQ(CheckValue(endpoint, std::string(bad)), "value is not valid UTF-8");
  }
  EXPECT_EQ(CheckValue(*FindKey("security.trusted_nodes"), std::vector<std::string>{"a", "\xff"}),
            "item 2 is not valid UTF-8");
}

TEST(Schema, EnvNames) {
  EXPECT_EQ(EnvName("dwcp.transport.max_streams"), "NOVACRON_DWCP_TRANSPORT_MAX_STREAMS");
  EXPECT_EQ(EnvName("storage.connection_string"), "NOVACRON_STORAGE_CONNECTION_STRING");
  EXPECT_EQ(EnvName("cluster.etcd_endpoints"), "NOVACRON_CLUSTER_ETCD_ENDPOINTS");
}

TEST(Suggest, ClosestMatch) {
  std::vector<std::string> paths = AllPaths();
  EXPECT_EQ(ClosestMatch("system.max_concurency", paths), "system.max_concurrency");
  EXPECT_EQ(ClosestMatch("api.log_level", paths), "system.log_level");
  EXPECT_EQ(ClosestMatch("sytem", paths), "system");
  EXPECT_EQ(ClosestMatch("completely.unrelated.thing", paths), "");
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

TEST(Interpolate, Forms) {
  Environment env = {{"A", "1"}, {"EMPTY", ""}};
  std::vector<std::string> used;
  EXPECT_EQ(*Interpolate("x${A}y", env, &used), "x1y");
  EXPECT_EQ(used, std::vector<std::string>{"A"});
  EXPECT_EQ(*Interpolate("${B:-two}", env), "two");
  EXPECT_EQ(*Interpolate("${EMPTY:-fallback}", env), "fallback");
  EXPECT_EQ(*Interpolate("${EMPTY}", env), "");
  EXPECT_EQ(*Interpolate("${B:-}", env), "");
  EXPECT_EQ(*Interpolate("$${A} $A $", env), "${A} $A $");
  EXPECT_EQ(*Interpolate("${A}${A}", env), "11");
  EXPECT_EQ(Interpolate("${B}", env).status().message(),
            "environment variable B is not set (use ${B:-default} for a fallback)");
  EXPECT_FALSE(Interpolate("${A", env).ok());
  EXPECT_FALSE(Interpolate("${1A}", env).ok());
  EXPECT_FALSE(Interpolate("${}", env).ok());
  EXPECT_FALSE(Interpolate("${A B}", env).ok());
}

TEST(Interpolate, ProcessEnvironment) {
  Environment env = EnvironmentFromProcess();
  // ctest and the shell always set PATH; the helper must see the real environment.
  EXPECT_EQ(env.count("PATH"), 1u);
}

}  // namespace
}  // namespace novacron::config
