// The flags and the connection shared by the REST API commands (`vm`, `node`, `cluster`).
#include "cli/api_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/daemon_address.h"

namespace novacron::cli {

void AddApiCommandOptions(CLI::App& command, ApiCommandOptions& options) {
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

Result<ApiClient> ConnectToDaemon(const ApiCommandOptions& options) {
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

CLI::App* AddApiCommandGroup(CLI::App& app, const std::string& name, const std::string& help,
                             const std::string& examples, const std::string& exit_codes,
                             const std::string& doc) {
  CLI::App* group = app.add_subcommand(name, help);
  group->require_subcommand(1);
  group->footer("Examples:\n" + examples + exit_codes + "\nSee " + doc + ".");
  return group;
}

void PrintJson(const nlohmann::json& value) { std::cout << value.dump(2) << "\n"; }

}  // namespace novacron::cli
