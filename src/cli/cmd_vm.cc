// novacron vm: registers the VM subcommands and holds what they share.
#include "cli/cmd_vm.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/daemon_address.h"
#include "config/units.h"

namespace novacron::cli {

const char* const kVmExitCodesHelp =
    "Exit codes: 0 ok, 1 the daemon refused the request or the VM failed, 2 usage, 4 no daemon "
    "answered, 5 VM not found, 6 conflict (illegal state, name taken, insufficient capacity, "
    "stale version), 7 timed out waiting (--wait).";

void AddVmCommonOptions(CLI::App& command, VmCommonOptions& options) {
  AddConfigFlags(command, options.flags);
  command
      .add_option("--server", options.server,
                  "Daemon API address [https://]HOST:PORT (default: $NOVACRON_SERVER, then "
                  "<data_dir>/api.addr, then api.host:api.port)")
      ->type_name("HOST:PORT");
  AddClientCredentialFlags(command, options.credentials);
  command.add_option("-o,--output", options.output, "table (for people) or json (for scripts)")
      ->check(CLI::IsMember({"table", "json"}));
}

Result<ApiClient> ConnectToDaemon(const VmCommonOptions& options) {
  auto loaded = LoadOrReport(ToLoadOptions(options.flags), /*print_warnings=*/false);
  if (!loaded) return InvalidArgument("invalid configuration (see above)");
  auto address = ResolveDaemonAddress(options.server, *loaded);
  if (!address.ok()) {
    if (address.status().code() == ErrorCode::kInvalidArgument) return address.status();
    return Unavailable(address.status().message());
  }
  auto credentials = ResolveClientCredentials(options.credentials, *address, loaded->config);
  if (!credentials.ok()) return credentials.status();
  // A create can wait on libvirtd probing QEMU the first time (tens of seconds on some hosts).
  return ApiClient(*address, std::chrono::minutes(3), std::move(*credentials));
}

Result<std::chrono::milliseconds> ParseWaitTimeout(const std::string& text) {
  auto timeout = config::ParseDuration(text);
  if (!timeout.ok()) return InvalidArgument("--timeout: " + timeout.status().message());
  if (timeout->count() == 0) return InvalidArgument("--timeout: must be more than 0");
  return *timeout;
}

void PrintJson(const nlohmann::json& value) { std::cout << value.dump(2) << "\n"; }

void AddVmCommand(CLI::App& app, int& exit_code) {
  CLI::App* vm = app.add_subcommand(
      "vm",
      "Manage the VMs of a running daemon through its REST API: list, show, create, start, "
      "stop, shutdown, reboot, delete.");
  vm->require_subcommand(1);
  vm->footer(std::string("Examples:\n"
                         "  novacron vm create --name web1 --memory 1G --disk size=10G --start "
                         "--wait\n"
                         "  novacron vm list -l app=web\n"
                         "  novacron vm show web1 -o json\n"
                         "  novacron vm shutdown web1 --wait\n"
                         "  novacron vm delete web1 --yes\n") +
             kVmExitCodesHelp + "\nSee docs/cli-vm.md.");
  AddVmListCommands(*vm, exit_code);
  AddVmCreateCommand(*vm, exit_code);
  AddVmPowerCommands(*vm, exit_code);
  AddVmDeleteCommand(*vm, exit_code);
}

}  // namespace novacron::cli
