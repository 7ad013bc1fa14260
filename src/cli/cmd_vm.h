// `novacron vm ...`: the VM commands, clients of the daemon's REST API (docs/cli-vm.md). The
// pieces they share: the daemon address and output flags, and the subcommand registrations.
#pragma once

#include <CLI/App.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/client_credentials.h"
#include "cli/cmd_vm_api_client.h"
#include "cli/config_flags.h"
#include "common/status.h"
#include "daemon/exit_codes.h"

namespace novacron::cli {

// The exit code table, for the footers of every vm command's --help.
extern const char* const kVmExitCodesHelp;

struct VmCommonOptions {
  ConfigFlags flags;
  std::string server;
  ClientCredentialFlags credentials;  // --cacert, --cert, --key, --token-file
  std::string output = "table";
};

// --server, -o and the configuration flags (--data-dir finds <data_dir>/api.addr).
void AddVmCommonOptions(CLI::App& command, VmCommonOptions& options);

// A client for the daemon the options point at. kInvalidArgument (exit 2) for a bad --server or
// configuration, kUnavailable (exit 4) when there is no address to try.
Result<ApiClient> ConnectToDaemon(const VmCommonOptions& options);

// --timeout of --wait: "30s", "5m", "1m30s".
Result<std::chrono::milliseconds> ParseWaitTimeout(const std::string& text);

void PrintJson(const nlohmann::json& value);

void AddVmListCommands(CLI::App& vm, int& exit_code);   // list, show
void AddVmCreateCommand(CLI::App& vm, int& exit_code);  // create
void AddVmPowerCommands(CLI::App& vm, int& exit_code);  // start, stop, shutdown, reboot
void AddVmDeleteCommand(CLI::App& vm, int& exit_code);  // delete

}  // namespace novacron::cli
