// A named 256-bit AES key for enc:v1: values, and its text form (a key file, or the
// NOVACRON_SECRET_KEY variable). The bytes are wiped when the key is destroyed.
//
// Key file format (docs/security.md, "Secrets in configuration files"): one line
//   novacron-secret-key v1 <name> <base64url of 32 bytes>
// Blank lines and lines starting with '#' are ignored. The name is 1-64 characters of
// [A-Za-z0-9._-]; it is written into every value the key encrypts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::security {

inline constexpr size_t kSecretKeyBytes = 32;
inline constexpr std::string_view kSecretKeyMagic = "novacron-secret-key";
// The name of a key given to NOVACRON_SECRET_KEY as bare base64 (no name of its own).
inline constexpr std::string_view kEnvKeyName = "env";
inline constexpr std::string_view kSecretKeyVariable = "NOVACRON_SECRET_KEY";

bool IsValidKeyName(std::string_view name);

class SecretKey {
 public:
  // 32 random bytes (RAND_bytes). kInvalidArgument for a bad name.
  static Result<SecretKey> Generate(std::string name);
  static Result<SecretKey> FromBytes(std::string name, std::span<const uint8_t> bytes);
  // Parses the key file format. `origin` names the text in messages (a path, a variable);
  // with `allow_bare_base64`, text that is only base64 of 32 bytes is a key named "env".
  static Result<SecretKey> Parse(std::string_view text, std::string_view origin,
                                 bool allow_bare_base64 = false);
  // Reads and parses a key file; refuses one that group or others may read.
  static Result<SecretKey> LoadFile(const std::string& path);

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  const std::string& name() const { return name_; }
  std::span<const uint8_t, kSecretKeyBytes> bytes() const { return bytes_; }
  // Where the key came from (a file path, "NOVACRON_SECRET_KEY"): for messages.
  const std::string& origin() const { return origin_; }
  // The key file format, one line ending in '\n'.
  std::string ToText() const;

 private:
  SecretKey() = default;
  void Wipe();

  std::string name_;
  std::string origin_;
  std::array<uint8_t, kSecretKeyBytes> bytes_{};
};

// The key for configuration values: NOVACRON_SECRET_KEY when `env_value` is set (key file
// text, or bare base64), else the file `key_file`; kNotFound when neither is given.
Result<SecretKey> LoadSecretKey(const std::optional<std::string>& env_value,
                                const std::string& key_file);

}  // namespace novacron::security
