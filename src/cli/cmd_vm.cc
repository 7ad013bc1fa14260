// novacron vm: registers the VM subcommands and holds what they share.
#include "cli/cmd_vm.h"

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "config/units.h"

namespace novacron::cli {

const char* const kVmExitCodesHelp =
    "Exit codes: 0 ok, 1 the daemon refused the request or the VM failed, 2 usage, 4 no daemon "
    "answered, 5 VM not found, 6 conflict (illegal state, name taken, insufficient capacity, "
    "stale version), 7 timed out waiting (--wait).";

Result<std::chrono::milliseconds> ParseWaitTimeout(const std::string& text) {
  auto timeout = config::ParseDuration(text);
  if (!timeout.ok()) return InvalidArgument("--timeout: " + timeout.status().message());
  if (timeout->count() == 0) return InvalidArgument("--timeout: must be more than 0");
  return *timeout;
}

void AddVmCommand(CLI::App& app, int& exit_code) {
  CLI::App* vm = AddApiCommandGroup(
      app, "vm",
      "Manage the VMs of a running daemon through its REST API: list, show, create, start, "
      "stop, shutdown, reboot, delete, and placement (cluster mode: where a VM is and where "
      "placement would put it now).",
      "  novacron vm create --name web1 --memory 1G --disk size=10G --start --wait\n"
      "  novacron vm list -l app=web\n"
      "  novacron vm show web1 -o json\n"
      "  novacron vm shutdown web1 --wait\n"
      "  novacron vm delete web1 --yes\n"
      "  novacron vm placement web1\n",
      kVmExitCodesHelp, "docs/cli-vm.md");
  AddVmListCommands(*vm, exit_code);
  AddVmCreateCommand(*vm, exit_code);
  AddVmPowerCommands(*vm, exit_code);
  AddVmDeleteCommand(*vm, exit_code);
  AddVmPlacementCommand(*vm, exit_code);
}

}  // namespace novacron::cli
