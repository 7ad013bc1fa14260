// Files that hold secrets: reading a key file only when no other user can read it, and writing
// a file atomically (temp file in the same directory, fsync, rename) so a crash leaves either
// the old content or the new, never half a file.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::security {

// Reads a regular file of at most `max_bytes`. Refuses (kPermissionDenied) a file that group or
// others may access, naming the file, its mode and the fix (`chmod 600 FILE`).
Result<std::string> ReadPrivateFile(const std::string& path, size_t max_bytes);

struct AtomicWriteOptions {
  mode_t mode = 0600;      // of the new file (umask does not apply)
  bool overwrite = false;  // false: kAlreadyExists when `path` exists, checked atomically
};

// Writes `content` to `path`: a temp file in the same directory, fsync, then rename (or link, when
// not overwriting), then fsync of the directory. The temp file is removed on any failure.
Status WriteFileAtomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options);

}  // namespace novacron::security
