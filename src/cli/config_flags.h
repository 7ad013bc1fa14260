// The configuration flags shared by `run`, `check`, `config`, `status` and `boots`:
// --config, --set, --data-dir, --log-level, --listen. Loading prints every issue and yields
// exit code 2 on invalid configuration.
#pragma once

#include <CLI/App.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/loader.h"

namespace novacron::cli {

struct ConfigFlags {
  std::vector<std::string> config_paths;
  std::vector<std::string> set;
  std::string data_dir;
  std::string log_level;
  std::string listen;
};

void AddConfigFlags(CLI::App& command, ConfigFlags& flags);

// The load options for these flags and the process environment.
config::LoadOptions ToLoadOptions(const ConfigFlags& flags);

// Loads the configuration; on failure prints the issues to stderr and returns nullopt (the
// caller exits 2). Warnings are printed to stderr when `print_warnings`.
std::optional<config::LoadedConfig> LoadOrReport(const config::LoadOptions& options,
                                                 bool print_warnings = true);

}  // namespace novacron::cli
