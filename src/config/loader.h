// LoadConfig: defaults < files < environment < flags, validated, with the source of every value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "config/interpolate.h"
#include "config/issue.h"

namespace novacron::config {

// Command-line overrides; the CLI parses argv and fills this in.
struct FlagOverrides {
  std::vector<std::string> set;          // --set key.path=value, in order (later wins)
  std::optional<std::string> data_dir;   // --data-dir
  std::optional<std::string> log_level;  // --log-level
  std::optional<std::string> listen;     // --listen HOST:PORT | [::1]:PORT | :PORT | HOST
};

// A configuration file already in memory (tests, fuzzing, stdin).
struct ConfigText {
  std::string name;  // shown in messages, e.g. "novacron.yaml"
  std::string content;
};

struct LoadOptions {
  std::vector<std::string> config_paths;  // .yaml, .yml or .json; later files win
  std::vector<ConfigText> config_texts;   // read after config_paths
  Environment env;                        // overlay and ${VAR}; EnvironmentFromProcess() in main
  FlagOverrides flags;
  std::string hostname;     // default node_id; empty = gethostname()
  std::string working_dir;  // base of a relative data_dir; empty = the current directory
};

struct LoadedConfig {
  Config config;
  std::vector<Source> sources;        // one per Schema() entry, in the same order
  std::vector<ConfigIssue> warnings;  // e.g. unknown NOVACRON_ variables
  std::string data_dir_as_written;    // config.system.data_dir before it was made absolute

  // The source of `key`'s value; a default source for an unknown key.
  const Source& SourceOf(std::string_view key) const;
};

// Loads and validates (schema and constraints; not resources, see CheckResources). On failure
// the status is kInvalidArgument and its message lists every issue, one per line (print it and
// exit 2). `issues`, if given, receives all errors and warnings in either case.
Result<LoadedConfig> LoadConfig(const LoadOptions& options,
                                std::vector<ConfigIssue>* issues = nullptr);

// NOVACRON_ variables that belong to other tools of the project and are not config keys.
const std::vector<std::string_view>& ForeignEnvVariables();

}  // namespace novacron::config
