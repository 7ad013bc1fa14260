// Key rotation for configuration files: every enc:v1: value of a YAML or JSON file re-encrypted
// under a new key, everything else in the file left byte for byte as it was.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "security/secret_key.h"

namespace novacron::security {

struct RotationResult {
  std::string text;     // the new file content
  int rotated = 0;      // values re-encrypted under the new key
  int already_new = 0;  // values the new key already decrypts (left untouched)
};

// Re-encrypts the enc:v1: values of `text` (YAML or JSON; `file_name` is for messages). A value
// that the old key cannot decrypt but the new key can is left as it is, so a second run changes
// nothing. Errors name the file, line and key path ("novacron.yaml:7: storage.connection_string:
// ..."); nothing is rewritten then.
Result<RotationResult> RotateConfigText(std::string_view text, std::string_view file_name,
                                        const SecretKey& old_key, const SecretKey& new_key);

// RotateConfigText on the file at `path`, replaced atomically (temp file in the same directory,
// fsync, rename) with the file's mode kept. The file is not touched when no value changes.
Result<RotationResult> RotateConfigFile(const std::string& path, const SecretKey& old_key,
                                        const SecretKey& new_key);

}  // namespace novacron::security
