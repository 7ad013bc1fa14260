// Internal to the loader: a Config under construction, with the source of each value and the
// issues found so far. Every layer (files, env, flags) writes through it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/interpolate.h"
#include "config/issue.h"
#include "config/schema.h"

namespace novacron::config {

struct FlagOverrides;

class ConfigBuilder {
 public:
  ConfigBuilder();  // defaults everywhere

  // Parses `text` for `spec`, checks it and stores it; records an issue instead on failure.
  void SetText(const KeySpec& spec, std::string_view text, const Source& source);
  // Checks `value` and stores it; records an issue instead on failure.
  void SetValue(const KeySpec& spec, Value value, const Source& source);
  void AddIssue(const Source& source, std::string key, std::string message,
                Severity severity = Severity::kError);

  Config& config() { return config_; }
  std::vector<Source>& sources() { return sources_; }
  std::vector<ConfigIssue>& issues() { return issues_; }
  const Source& SourceOf(std::string_view key) const;

 private:
  Config config_;
  std::vector<Source> sources_;
  std::vector<ConfigIssue> issues_;
};

// Layers, in precedence order. Each records its problems in the builder and goes on.
void ApplyConfigText(ConfigBuilder& builder, std::string_view name, std::string_view content,
                     const Environment& env);
void ApplyEnvironment(ConfigBuilder& builder, const Environment& env);
void ApplyFlags(ConfigBuilder& builder, const FlagOverrides& flags);
// Sets api.host and/or api.port from HOST:PORT text (--listen, NOVACRON_LISTEN_ADDRESS).
void ApplyListen(ConfigBuilder& builder, std::string_view text, const Source& source);

// Rules between keys (level 2), on the merged config.
void CheckCrossField(const Config& config, const std::vector<Source>& sources,
                     std::vector<ConfigIssue>& issues);

}  // namespace novacron::config
