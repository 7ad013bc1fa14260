// novacron run
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.h"
#include "cli/config_flags.h"
#include "daemon/daemon.h"

namespace novacron::cli {

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ConfigFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Start the daemon in the foreground: boot the components in dependency order, serve the "
      "API and health probes, stop gracefully on SIGTERM/SIGINT (a second one forces exit), "
      "reload on SIGHUP. Tells systemd READY=1 (Type=notify). Works with no configuration at "
      "all: data under ./var (or $XDG_STATE_HOME/novacron), API on 127.0.0.1:8080.");
  AddConfigFlags(*cmd, *flags);
  cmd->footer(
      "Exit codes: 0 stopped cleanly, 1 preflight failed or unclean stop, 2 invalid "
      "configuration, 3 a critical component failed to start.\n"
      "Fault injection for drills: NOVACRON_FAILPOINTS='database=fail(2);api=delay(1s)'.");
  cmd->callback([flags, &exit_code] {
    config::LoadOptions load = ToLoadOptions(*flags);
    auto loaded = LoadOrReport(load);
    if (!loaded) {
      exit_code = kExitUsage;
      return;
    }
    exit_code = daemon::RunDaemon({std::move(*loaded), std::move(load), Version()});
  });
}

}  // namespace novacron::cli
