// Files that hold secrets: reading a key file only when no other user can read it, and writing
// a file atomically (temp file in the same directory, fsync, rename) so a crash leaves either
// the old content or the new, never half a file.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/atomic_file.h"
#include "common/status.h"

namespace novacron::security {

// Reads a regular file of at most `max_bytes`. Refuses (kPermissionDenied) a file that group or
// others may access, naming the file, its mode and the fix (`chmod 600 FILE`).
Result<std::string> ReadPrivateFile(const std::string& path, size_t max_bytes);

// Writing files atomically moved to common/atomic_file.h; the secrets code keeps its names.
using novacron::AtomicWriteOptions;
using novacron::WriteFileAtomically;

}  // namespace novacron::security
