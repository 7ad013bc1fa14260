// novacron check: the preflight as a table, without starting anything.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config_flags.h"
#include "components/resources_component.h"
#include "config/issue.h"
#include "config/resources.h"
#include "node/preflight.h"

namespace novacron::cli {

void AddCheckCommand(CLI::App& app, int& exit_code) {
  struct Options {
    ConfigFlags flags;
    std::string output = "table";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Run the preflight checks (CPUs, memory, free disk at the data dir, /dev/kvm, kernel) "
      "against the thresholds of resources.* and print them as a table. Exit 1 if any fails.");
  AddConfigFlags(*cmd, opts->flags);
  cmd->add_option("-o,--output", opts->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->callback([opts, &exit_code] {
    auto loaded = LoadOrReport(ToLoadOptions(opts->flags));
    if (!loaded) {
      exit_code = kExitUsage;
      return;
    }
    const config::Config& config = loaded->config;
    node::PreflightReport report =
        node::RunPreflight(components::PreflightThresholdsFor(config), config.system.data_dir);
    if (opts->output == "json") {
      nlohmann::json checks = nlohmann::json::array();
      for (const auto& c : report.checks) {
        checks.push_back({{"name", c.name},
                          {"status", node::CheckStatusName(c.status)},
                          {"observed", c.observed},
                          {"required", c.required},
                          {"detail", c.detail}});
      }
      std::cout << nlohmann::json{{"ok", report.ok()}, {"checks", checks}}.dump(2) << "\n";
    } else {
      std::cout << "Preflight for node " << config.system.node_id << " (profile "
                << config::ToString(config.resources.profile) << ", data dir "
                << config.system.data_dir << ")\n\n"
                << node::FormatPreflightTable(report);
      std::cout << "\n"
                << (report.ok() ? "preflight passed" : "preflight FAILED") << ": "
                << report.Count(node::CheckResult::kPass) << " pass, "
                << report.Count(node::CheckResult::kWarn) << " warn, "
                << report.Count(node::CheckResult::kFail) << " fail\n";
    }
    exit_code = report.ok() ? kExitOk : kExitFailed;
  });
}

}  // namespace novacron::cli
