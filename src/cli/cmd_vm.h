// `novacron vm ...`: the VM commands, clients of the daemon's REST API (docs/cli-vm.md). The
// pieces they share beyond cli/api_command.h: --timeout of --wait, the exit code help, and the
// subcommand registrations.
#pragma once

#include <CLI/App.hpp>
#include <chrono>
#include <string>

#include "cli/api_command.h"
#include "common/status.h"
#include "daemon/exit_codes.h"

namespace novacron::cli {

// The exit code table, for the footers of every vm command's --help.
extern const char* const kVmExitCodesHelp;

// --timeout of --wait: "30s", "5m", "1m30s".
Result<std::chrono::milliseconds> ParseWaitTimeout(const std::string& text);

void AddVmListCommands(CLI::App& vm, int& exit_code);      // list, show
void AddVmCreateCommand(CLI::App& vm, int& exit_code);     // create
void AddVmPowerCommands(CLI::App& vm, int& exit_code);     // start, stop, shutdown, reboot
void AddVmDeleteCommand(CLI::App& vm, int& exit_code);     // delete
void AddVmPlacementCommand(CLI::App& vm, int& exit_code);  // placement

}  // namespace novacron::cli
