// Child processes of the daemon (qemu-img and any later helper): run from an argument vector
// (never a shell), in their own process group, with a deadline. On expiry the whole group is
// killed, so a hung child (or one it forked) fails one request instead of pinning a thread
// forever (docs/security.md, "Host paths").
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::vm {

// Long enough for qemu-img on a slow disk; a child that takes longer is treated as hung.
inline constexpr std::chrono::milliseconds kDefaultChildTimeout{60'000};

// A finished child process: its exit code (or -signal) and what it wrote.
struct ProgramOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH when it has no '/') with the given arguments, stdin from
// /dev/null, and waits for it at most `timeout`. kUnavailable when it cannot be started;
// kDeadlineExceeded ("qemu-img timed out after 60s and was killed") when the deadline passed
// (the process group got SIGKILL and was reaped). A non-zero exit is not an error here.
Result<ProgramOutput> RunProgram(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout = kDefaultChildTimeout);

}  // namespace novacron::vm
