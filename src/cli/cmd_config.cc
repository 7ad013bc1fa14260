// novacron config validate | show | schema
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config_flags.h"
#include "config/issue.h"
#include "config/json_schema.h"
#include "config/render.h"
#include "config/resources.h"

namespace novacron::cli {

void AddConfigCommand(CLI::App& app, int& exit_code) {
  CLI::App* config_cmd = app.add_subcommand(
      "config",
      "Validate, show or describe the configuration (files, NOVACRON_* environment, "
      "flags; flags > environment > files > defaults)");
  config_cmd->require_subcommand(1);

  auto validate_flags = std::make_shared<ConfigFlags>();
  CLI::App* validate = config_cmd->add_subcommand(
      "validate",
      "Check the configuration at all three levels (schema, constraints, resources: data dir, "
      "TLS files, ports). Prints every issue with file:line and key; exit 2 if any is an error.");
  AddConfigFlags(*validate, *validate_flags);
  validate->callback([validate_flags, &exit_code] {
    auto loaded = LoadOrReport(ToLoadOptions(*validate_flags));
    if (!loaded) {
      exit_code = kExitUsage;
      return;
    }
    std::vector<config::ConfigIssue> issues = config::CheckResources(*loaded);
    std::cerr << config::FormatIssues(issues);
    if (config::HasErrors(issues)) {
      exit_code = kExitUsage;
      return;
    }
    std::cout << "configuration valid\n";
    exit_code = kExitOk;
  });

  struct ShowOptions {
    ConfigFlags flags;
    std::string format = "yaml";
    bool sources = false;
  };
  auto show_opts = std::make_shared<ShowOptions>();
  CLI::App* show = config_cmd->add_subcommand(
      "show",
      "Print the effective configuration, secrets masked; --sources tells where each "
      "value came from (default, file:line, env variable, flag)");
  AddConfigFlags(*show, show_opts->flags);
  show->add_option("-f,--format", show_opts->format, "yaml or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  show->add_flag("--sources", show_opts->sources, "Annotate each value with its source");
  show->callback([show_opts, &exit_code] {
    auto loaded = LoadOrReport(ToLoadOptions(show_opts->flags));
    if (!loaded) {
      exit_code = kExitUsage;
      return;
    }
    config::Format format =
        show_opts->format == "json" ? config::Format::kJson : config::Format::kYaml;
    std::cout << config::RenderConfig(*loaded, format, show_opts->sources);
    exit_code = kExitOk;
  });

  CLI::App* schema = config_cmd->add_subcommand(
      "schema", "Print the JSON Schema (draft 2020-12) of the configuration file");
  schema->callback([&exit_code] {
    std::cout << config::JsonSchema().dump(2) << "\n";
    exit_code = kExitOk;
  });
}

}  // namespace novacron::cli
