// Files and directories only the daemon's user may read: the data dir (0700), the state store,
// the audit log and other files the daemon writes there (0600). docs/security.md, "Files".
#pragma once

#include <sys/types.h>

#include <filesystem>

#include "common/status.h"

namespace novacron {

// Creates `dir` (and missing parents) and sets its mode to exactly `mode` (e.g. 0700).
Status EnsurePrivateDir(const std::filesystem::path& dir, mode_t mode = 0700);

// Creates `file` empty with mode 0600 when it does not exist; an existing file readable or
// writable by group or others is narrowed to 0600.
Status EnsurePrivateFile(const std::filesystem::path& file);

}  // namespace novacron
