// `novacron run`: boots the components, serves until SIGTERM/SIGINT, reloads on SIGHUP, and
// stops in reverse order.
#pragma once

#include <string>

#include "config/loader.h"
#include "daemon/exit_codes.h"

namespace novacron::daemon {

struct DaemonOptions {
  config::LoadedConfig loaded;
  // How `loaded` was loaded: SIGHUP loads again with the same files, environment and flags.
  config::LoadOptions load_options;
  std::string version;
};

// Must be called after BlockDaemonSignals(), before any other thread exists.
int RunDaemon(DaemonOptions options);

}  // namespace novacron::daemon
