// Writing a whole file so that readers see the old content or the new, never a part: a temp
// file beside the target, fsync, rename (or link, when not overwriting), fsync of the directory.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron {

struct AtomicWriteOptions {
  mode_t mode = 0600;      // of the new file (umask does not apply)
  bool overwrite = false;  // false: kAlreadyExists when `path` exists, checked atomically
};

// The temp file is removed on any failure.
Status WriteFileAtomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options);

}  // namespace novacron
