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
#include "security/certificate.h"

namespace novacron::cli {
namespace {

// security.tls.cert_file: WARN within 30 days of expiry, FAIL when expired or unreadable (the
// daemon would not start, or clients would refuse it).
node::CheckResult TlsCertificateCheck(const std::string& path) {
  constexpr int64_t kWarnSeconds = 30 * 86400;
  node::CheckResult check;
  check.name = "tls_cert_expiry";
  check.required = "> 30 days";
  auto info = security::ReadCertificateInfo(path);
  if (!info.ok()) {
    check.status = node::CheckResult::kFail;
    check.observed = "unreadable";
    check.detail = "security.tls.cert_file: " + info.status().ToString();
    return check;
  }
  int64_t left = info->SecondsToExpiry();
  check.observed =
      std::to_string(left / 86400) + " days (" + security::FormatUtc(info->not_after) + ")";
  if (left <= 0) {
    check.status = node::CheckResult::kFail;
    check.detail = "security.tls.cert_file " + path + " has expired: renew it, then SIGHUP";
  } else if (left < kWarnSeconds) {
    check.status = node::CheckResult::kWarn;
    check.detail = "security.tls.cert_file " + path + " expires soon: renew it, then SIGHUP";
  }
  return check;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int& exit_code) {
  struct Options {
    ConfigFlags flags;
    std::string output = "table";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Run the preflight checks (CPUs, memory, free disk at the data dir, /dev/kvm, kernel, "
      "TLS certificate expiry) "
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
    if (!config.security.tls.cert_file.empty()) {
      report.checks.push_back(TlsCertificateCheck(config.security.tls.cert_file));
    }
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
