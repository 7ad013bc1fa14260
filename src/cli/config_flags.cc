#include "cli/config_flags.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "config/issue.h"

namespace novacron::cli {

void AddConfigFlags(CLI::App& command, ConfigFlags& flags) {
  command
      .add_option("-c,--config", flags.config_paths,
                  "Configuration file (.yaml, .yml or .json); repeat to layer files, later wins")
      ->type_name("FILE");
  command
      .add_option("--set", flags.set,
                  "Override one key, e.g. --set system.max_concurrency=4 (repeatable; beats "
                  "environment and files)")
      ->type_name("KEY=VALUE");
  command.add_option("--data-dir", flags.data_dir, "State directory (system.data_dir)")
      ->type_name("DIR");
  command
      .add_option("--log-level", flags.log_level, "debug, info, warn or error (system.log_level)")
      ->type_name("LEVEL");
  command
      .add_option("--listen", flags.listen,
                  "API listen address (api.host and api.port): HOST:PORT, [::1]:PORT, :PORT")
      ->type_name("HOST:PORT");
}

config::LoadOptions ToLoadOptions(const ConfigFlags& flags) {
  config::LoadOptions options;
  options.config_paths = flags.config_paths;
  options.env = config::EnvironmentFromProcess();
  options.flags.set = flags.set;
  if (!flags.data_dir.empty()) options.flags.data_dir = flags.data_dir;
  if (!flags.log_level.empty()) options.flags.log_level = flags.log_level;
  if (!flags.listen.empty()) options.flags.listen = flags.listen;
  return options;
}

std::optional<config::LoadedConfig> LoadOrReport(const config::LoadOptions& options,
                                                 bool print_warnings) {
  std::vector<config::ConfigIssue> issues;
  auto loaded = config::LoadConfig(options, &issues);
  if (!loaded.ok()) {
    std::cerr << "novacron: " << loaded.status().message() << "\n";
    return std::nullopt;
  }
  if (print_warnings) {
    for (const auto& w : loaded->warnings) std::cerr << config::FormatIssue(w) << "\n";
  }
  return std::move(*loaded);
}

}  // namespace novacron::cli
