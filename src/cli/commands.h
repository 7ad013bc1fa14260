// The `novacron` subcommands. Each Add* registers one on `app`; its callback stores the process
// exit code in `exit_code`.
#pragma once

#include <CLI/App.hpp>

namespace novacron::cli {

// Exit codes shared by the commands (docs/operations.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // preflight failed; daemon not ready; stop unclean
inline constexpr int kExitUsage = 2;        // invalid configuration, flags or arguments
inline constexpr int kExitBootFailed = 3;   // a critical component failed to start
inline constexpr int kExitUnreachable = 4;  // no daemon answered

void AddRunCommand(CLI::App& app, int& exit_code);
void AddCheckCommand(CLI::App& app, int& exit_code);
void AddConfigCommand(CLI::App& app, int& exit_code);
void AddGraphCommand(CLI::App& app, int& exit_code);
void AddStatusCommand(CLI::App& app, int& exit_code);
void AddBootsCommand(CLI::App& app, int& exit_code);

const char* Version();

}  // namespace novacron::cli
