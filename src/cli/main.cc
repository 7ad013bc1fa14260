// novacron: the NovaCron node daemon and its command line.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "daemon/signals.h"

namespace novacron::cli {
const char* Version() { return NOVACRON_VERSION; }
}  // namespace novacron::cli

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask (see daemon/signals.h).
  novacron::daemon::BlockDaemonSignals();

  using namespace novacron::cli;
  CLI::App app(
      "NovaCron: distributed VM management. One daemon per hypervisor node.\n"
      "Start here: `novacron run` (no configuration needed), then `novacron status`.",
      "novacron");
  app.set_version_flag("-V,--version", std::string("novacron ") + Version());
  app.require_subcommand(1);
  app.footer(
      "Configuration: novacron.yaml (--config), NOVACRON_<SECTION>_<KEY> environment variables "
      "and flags; flags > environment > files > defaults. See `novacron config schema` and "
      "docs/configuration.md.\nRun `novacron COMMAND --help` for a command's options.");
  int exit_code = 0;
  AddRunCommand(app, exit_code);
  AddCheckCommand(app, exit_code);
  AddConfigCommand(app, exit_code);
  AddGraphCommand(app, exit_code);
  AddStatusCommand(app, exit_code);
  AddBootsCommand(app, exit_code);
  AddVmCommand(app, exit_code);
  AddNodeCommand(app, exit_code);
  AddClusterCommand(app, exit_code);
  AddSimCommand(app, exit_code);
  AddTokenCommand(app, exit_code);
  AddCertCommand(app, exit_code);
  AddAuditCommand(app, exit_code);
  AddSecretCommand(app, exit_code);
  app.add_subcommand("version", "Print the version")->callback([&exit_code] {
    std::cout << "novacron " << Version() << "\n";
    exit_code = 0;
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 uses 0 for --help/--version and 105/106/... for errors: usage errors are exit 2.
    return rc == 0 ? 0 : novacron::kExitUsage;
  }
  return exit_code;
}
