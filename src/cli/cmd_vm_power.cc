// novacron vm start | stop | shutdown | reboot | delete.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cmd_vm.h"
#include "cli/cmd_vm_errors.h"
#include "cli/cmd_vm_wait.h"

namespace novacron::cli {

namespace {

struct PowerAction {
  const char* name;
  const char* target_state;  // what --wait waits for
  const char* help;
};

constexpr PowerAction kPowerActions[] = {
    {"start", "running", "Start a VM (defined, stopped or failed -> starting -> running)."},
    {"stop", "stopped",
     "Power a VM off at once, like pulling the plug (use shutdown for a clean stop)."},
    {"shutdown", "stopped",
     "Ask the guest to shut down (ACPI); the daemon powers it off after vm.shutdown_timeout."},
    {"reboot", "running", "Reboot a running VM."},
};

struct PowerOptions {
  ApiCommandOptions common;
  std::string vm;
  bool wait = false;
  std::string timeout = "5m";
  std::string idempotency_key;
};

Status RunPower(const PowerAction& action, const PowerOptions& opts) {
  NOVACRON_ASSIGN_OR_RETURN(auto timeout, ParseWaitTimeout(opts.timeout));
  NOVACRON_ASSIGN_OR_RETURN(auto client, ConnectToDaemon(opts.common));
  http::Headers headers;
  if (!opts.idempotency_key.empty()) headers.Set("Idempotency-Key", opts.idempotency_key);
  NOVACRON_ASSIGN_OR_RETURN(
      auto response,
      Expect2xx(client.Post(VmPath(opts.vm, std::string("/") + action.name), nullptr, headers)));
  nlohmann::json vm = std::move(response.body);
  bool table = opts.common.output == "table";
  if (opts.wait) {
    if (table) {
      std::cout << "waiting for vm " << opts.vm << " to be " << action.target_state << "...\n"
                << std::flush;
    }
    NOVACRON_ASSIGN_OR_RETURN(vm, WaitForVmState(client, vm, action.target_state, timeout));
  }
  if (table) {
    std::cout << "vm " << opts.vm << " is " << (vm.is_object() ? vm.value("state", "?") : "?")
              << "\n";
  } else {
    PrintJson(vm);
  }
  return Status::Ok();
}

void AddPowerCommand(CLI::App& vm, const PowerAction& action, int& exit_code) {
  auto opts = std::make_shared<PowerOptions>();
  CLI::App* cmd = vm.add_subcommand(action.name, action.help);
  AddApiCommandOptions(*cmd, opts->common);
  cmd->add_option("vm", opts->vm, "VM name or id")->required()->type_name("NAME|ID");
  cmd->add_flag("--wait", opts->wait,
                std::string("Poll every 250 ms until the VM is ") + action.target_state +
                    " (exit 1 if it fails, 7 on --timeout)");
  cmd->add_option("--timeout", opts->timeout, "How long --wait waits: 30s, 5m, 1m30s")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--idempotency-key", opts->idempotency_key,
                  "Retrying with the same key replays the first answer (kept 24 h)")
      ->type_name("KEY");
  cmd->footer(std::string("Examples:\n  novacron vm ") + action.name + " web1\n  novacron vm " +
              action.name + " web1 --wait --timeout 2m\n" + kVmExitCodesHelp +
              " A transition the VM's state does not allow (e.g. start while running) is 6.");
  const PowerAction* a = &action;
  cmd->callback([opts, a, &exit_code] {
    Status status = RunPower(*a, *opts);
    exit_code = status.ok() ? kExitOk : ReportFailure(std::string("vm ") + a->name, status);
  });
}

struct DeleteOptions {
  ApiCommandOptions common;
  std::string vm;
  bool force = false;
  bool yes = false;
};

// Asks on the terminal; true only for an explicit yes.
bool Confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

Status RunDelete(const DeleteOptions& opts) {
  NOVACRON_ASSIGN_OR_RETURN(auto client, ConnectToDaemon(opts.common));
  if (!opts.yes && isatty(STDIN_FILENO) == 1) {
    std::string question = "delete vm " + opts.vm +
                           (opts.force ? " (powering it off first if it runs)" : "") +
                           " and its disks?";
    if (!Confirm(question)) {
      return Status(ErrorCode::kCancelled, "not confirmed; nothing deleted");
    }
  }
  NOVACRON_RETURN_IF_ERROR(
      Expect2xx(client.Delete(VmPath(opts.vm) + (opts.force ? "?force=true" : ""))).status());
  if (opts.common.output == "json") {
    PrintJson({{"deleted", opts.vm}});
  } else {
    std::cout << "deleted vm " << opts.vm << "\n";
  }
  return Status::Ok();
}

}  // namespace

void AddVmPowerCommands(CLI::App& vm, int& exit_code) {
  for (const PowerAction& action : kPowerActions) AddPowerCommand(vm, action, exit_code);
}

void AddVmDeleteCommand(CLI::App& vm, int& exit_code) {
  auto opts = std::make_shared<DeleteOptions>();
  CLI::App* cmd = vm.add_subcommand(
      "delete",
      "Delete a VM: its domain, its overlay and blank disks, its record. A running VM needs "
      "--force (it is powered off first). Asks for confirmation when stdin is a terminal.");
  cmd->alias("rm");
  AddApiCommandOptions(*cmd, opts->common);
  cmd->add_option("vm", opts->vm, "VM name or id")->required()->type_name("NAME|ID");
  cmd->add_flag("--force", opts->force, "Power the VM off first if it is running");
  cmd->add_flag("-y,--yes", opts->yes, "Do not ask for confirmation");
  cmd->footer(std::string("Examples:\n"
                          "  novacron vm delete web1\n"
                          "  novacron vm delete web1 --force --yes\n") +
              kVmExitCodesHelp + " A running VM without --force is 6; not confirmed is 1.");
  cmd->callback([opts, &exit_code] {
    Status status = RunDelete(*opts);
    exit_code = status.ok() ? kExitOk : ReportFailure("vm delete", status);
  });
}

}  // namespace novacron::cli
