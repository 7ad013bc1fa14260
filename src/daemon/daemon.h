// `novacron run`: boots the components, serves until SIGTERM/SIGINT, reloads on SIGHUP, and
// stops in reverse order.
#pragma once

#include <string>

#include "config/loader.h"

namespace novacron::daemon {

// Exit codes of `novacron run` (also documented in docs/operations.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitPreflight = 1;   // preflight failed, or an unclean stop
inline constexpr int kExitConfig = 2;      // invalid configuration or usage
inline constexpr int kExitBootFailed = 3;  // a critical component failed to start

struct DaemonOptions {
  config::LoadedConfig loaded;
  // How `loaded` was loaded: SIGHUP loads again with the same files, environment and flags.
  config::LoadOptions load_options;
  std::string version;
};

// Must be called after BlockDaemonSignals(), before any other thread exists.
int RunDaemon(DaemonOptions options);

}  // namespace novacron::daemon
