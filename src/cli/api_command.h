// What the commands that are clients of the daemon's REST API share (`vm`, `node`, `cluster`):
// the daemon address, credential and output flags, the client they resolve to, JSON output.
#pragma once

#include <CLI/App.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/client_credentials.h"
#include "cli/cmd_vm_api_client.h"
#include "cli/config_flags.h"
#include "common/status.h"

namespace novacron::cli {

struct ApiCommandOptions {
  ConfigFlags flags;
  std::string server;
  ClientCredentialFlags credentials;  // --cacert, --cert, --key, --token-file
  std::string output = "table";

  bool json() const { return output == "json"; }
};

// --server, -o, the credential flags and the configuration flags (--data-dir finds
// <data_dir>/api.addr).
void AddApiCommandOptions(CLI::App& command, ApiCommandOptions& options);

// A client for the daemon the options point at. kInvalidArgument (exit 2) for a bad --server or
// configuration, kUnavailable (exit 4) when there is no address to try.
Result<ApiClient> ConnectToDaemon(const ApiCommandOptions& options);

// A group of these commands (`vm`, `node`, `cluster`) on `app`: it needs one of its subcommands,
// and its --help ends with "Examples:\n" + `examples` (lines), `exit_codes` and "See <doc>.".
CLI::App* AddApiCommandGroup(CLI::App& app, const std::string& name, const std::string& help,
                             const std::string& examples, const std::string& exit_codes,
                             const std::string& doc);

// `value` indented by 2, on stdout.
void PrintJson(const nlohmann::json& value);

}  // namespace novacron::cli
