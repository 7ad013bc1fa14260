#include "config/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/json_schema.h"
#include "config/schema.h"

namespace novacron::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LoadedConfig Load(const std::string& yaml, Environment env = {}) {
  LoadOptions options;
  options.hostname = "node-a";
  options.working_dir = "/srv";
  options.env = std::move(env);
  options.config_texts.push_back({"novacron.yaml", yaml});
  Result<LoadedConfig> loaded = LoadConfig(options);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.ok() ? std::move(loaded).value() : LoadedConfig{};
}

const char* kWithSecrets =
    "storage:\n"
    "  backend: postgres\n"
    "  connection_string: \"postgres://nc:${DB_PASSWORD}@db/nc\"\n"
    "security:\n"
    "  api_token: \"\"\n"
    "api:\n"
    "  cors_allowed_origins: [https://a.example]\n";

TEST(RenderConfig, YamlMasksSecrets) {
  LoadedConfig loaded = Load(kWithSecrets, {{"DB_PASSWORD", "hunter2"}});
  for (bool with_sources : {false, true}) {
    std::string yaml = RenderConfig(loaded, Format::kYaml, with_sources);
    EXPECT_THAT(yaml, Not(HasSubstr("hunter2")));
    EXPECT_THAT(yaml, Not(HasSubstr("postgres://")));
    EXPECT_THAT(yaml, HasSubstr("connection_string: \"********\""));
    EXPECT_THAT(yaml, HasSubstr("api_token: \"(unset)\""));
  }
}

TEST(RenderConfig, JsonMasksSecrets) {
  LoadedConfig loaded = Load(kWithSecrets, {{"DB_PASSWORD", "hunter2"}});
  nlohmann::json plain = nlohmann::json::parse(RenderConfig(loaded, Format::kJson, false));
  EXPECT_EQ(plain["storage"]["connection_string"], "********");
  EXPECT_EQ(plain["security"]["api_token"], "(unset)");
  EXPECT_EQ(plain["storage"]["backend"], "postgres");
  EXPECT_EQ(plain["api"]["port"], 8080);
  EXPECT_EQ(plain["api"]["max_body_bytes"], "1MiB");
  EXPECT_EQ(plain["dwcp"]["transport"]["stream_timeout"], "1m");
  EXPECT_EQ(plain["api"]["cors_allowed_origins"], nlohmann::json::array({"https://a.example"}));
  EXPECT_EQ(plain["system"]["data_dir"], "./var");

  std::string text = RenderConfig(loaded, Format::kJson, true);
  EXPECT_THAT(text, Not(HasSubstr("hunter2")));
  nlohmann::json sourced = nlohmann::json::parse(text);
  EXPECT_EQ(sourced["storage"]["connection_string"]["value"], "********");
  EXPECT_EQ(sourced["storage"]["connection_string"]["source"], "novacron.yaml:3 (${DB_PASSWORD})");
  EXPECT_EQ(sourced["api"]["port"]["source"], "default");
  EXPECT_EQ(sourced["system"]["data_dir"]["source"], "default, resolved to /srv/var");
}

TEST(RenderConfig, YamlWithSourcesHasOneCommentPerKey) {
  LoadedConfig loaded = Load("system:\n  max_concurrency: 3\n");
  std::string yaml = RenderConfig(loaded, Format::kYaml, true);
  EXPECT_THAT(yaml, HasSubstr("max_concurrency: 3  # novacron.yaml:2\n"));
  EXPECT_THAT(yaml, HasSubstr("node_id: \"node-a\"  # default (host name)\n"));
  size_t comments = 0;
  for (size_t at = yaml.find(" # "); at != std::string::npos; at = yaml.find(" # ", at + 1)) {
    ++comments;
  }
  EXPECT_EQ(comments, Schema().size());
}

// What `config show` prints loads back to the same configuration (secrets aside).
TEST(RenderConfig, RenderedYamlAndJsonLoadBack) {
  LoadedConfig loaded = Load(
      "system:\n  node_id: hv-3\n  log_level: debug\n"
      "dwcp:\n  forced_mode: hybrid\n  detection_peers: [\"a:1\", \"[::1]:2\"]\n"
      "  consensus:\n    heartbeat_interval: 250ms\n"
      "api:\n  host: \"::1\"\n  max_header_bytes: 32KiB\n"
      "security:\n  trusted_nodes: [\"yes\", \"null\", \"#x\", \"a,b\"]\n"
      "monitoring:\n  tracing_endpoint: \"http://\u00fc.example/$${literal} \\t\"\n");
  ASSERT_EQ(loaded.config.monitoring.tracing_endpoint, "http://\u00fc.example/${literal} \t");
  for (Format format : {Format::kYaml, Format::kJson}) {
    LoadOptions options;
    options.working_dir = "/srv";
    std::string name = format == Format::kYaml ? "show.yaml" : "show.json";
    options.config_texts.push_back({name, RenderConfig(loaded, format, false)});
    Result<LoadedConfig> again = LoadConfig(options);
    ASSERT_TRUE(again.ok()) << again.status().message() << options.config_texts[0].content;
    for (const KeySpec& spec : Schema()) {
      if (spec.secret) continue;
      EXPECT_EQ(spec.get(again->config), spec.get(loaded.config)) << spec.key << " " << name;
    }
  }
}

TEST(JsonSchema, DescribesEveryKey) {
  nlohmann::json schema = JsonSchema();
  // It is JSON that survives a text round trip.
  nlohmann::json reparsed = nlohmann::json::parse(schema.dump());
  EXPECT_EQ(reparsed, schema);
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["additionalProperties"], false);
  for (const KeySpec& spec : Schema()) {
    SCOPED_TRACE(std::string(spec.key));
    const nlohmann::json* node = &schema;
    std::string_view rest = spec.key;
    while (true) {
      size_t dot = rest.find('.');
      ASSERT_TRUE(node->contains("properties"));
      EXPECT_EQ((*node)["additionalProperties"], false);
      std::string name(rest.substr(0, dot));
      ASSERT_TRUE((*node)["properties"].contains(name));
      node = &(*node)["properties"][name];
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    EXPECT_EQ((*node)["description"].is_string(), true);
    EXPECT_EQ(node->contains("default"), spec.dynamic_default.empty());
    EXPECT_TRUE(node->contains("type") || node->contains("enum"));
  }
  const nlohmann::json& streams =
      schema["properties"]["dwcp"]["properties"]["transport"]["properties"]["max_streams"];
  EXPECT_EQ(streams["type"], "integer");
  EXPECT_EQ(streams["minimum"], 1);
  EXPECT_EQ(streams["maximum"], 4096);
  EXPECT_EQ(streams["default"], 256);
  const nlohmann::json& level = schema["properties"]["system"]["properties"]["log_level"];
  EXPECT_EQ(level["enum"], nlohmann::json::array({"debug", "info", "warn", "error"}));
  EXPECT_EQ(level["default"], "info");
  EXPECT_EQ(level["x-reloadable"], true);
  const nlohmann::json& token = schema["properties"]["security"]["properties"]["api_token"];
  EXPECT_EQ(token["writeOnly"], true);
  const nlohmann::json& kvm = schema["properties"]["resources"]["properties"]["require_kvm"];
  EXPECT_EQ(kvm["enum"], nlohmann::json::array({"auto", "true", "false", true, false}));
  const nlohmann::json& retention =
      schema["properties"]["security"]["properties"]["audit_retention"];
  EXPECT_EQ(retention["default"], "90d");
  EXPECT_THAT(retention["description"].get<std::string>(), ::testing::EndsWith("; at least 1m"));
  const nlohmann::json& ttl = schema["properties"]["cluster"]["properties"]["lease_ttl"];
  EXPECT_EQ(ttl["default"], "10s");
  EXPECT_THAT(ttl["description"].get<std::string>(), ::testing::EndsWith("; 2s..5m"));
}

}  // namespace
}  // namespace novacron::config
