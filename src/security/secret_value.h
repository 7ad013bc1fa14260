// enc:v1: values: a secret encrypted with AES-256-GCM under a named key, as one line of text
// that fits anywhere a configuration string does.
//
//   enc:v1:<key-name>:<base64url(nonce 12 bytes | ciphertext | tag 16 bytes)>
//
// The nonce is random per encryption (RAND_bytes). The header "enc:v1:<key-name>" is the
// additional authenticated data, so a value cannot be relabelled with another key's name.
// Messages never contain the plaintext (docs/security.md, "Secrets in configuration files").
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "security/secret_key.h"

namespace novacron::security {

inline constexpr std::string_view kEncryptedPrefix = "enc:v1:";

// True when `text` starts with "enc:v1:" (it is then meant to be decrypted, well-formed or not).
bool IsEncryptedValue(std::string_view text);

// The key name in the header of an enc:v1: value; kInvalidArgument when the value is malformed.
Result<std::string> EncryptedKeyName(std::string_view value);

Result<std::string> EncryptValue(const SecretKey& key, std::string_view plaintext);

// kInvalidArgument with one of: "value was encrypted with key 'k1', the loaded key is 'k2'",
// "authentication failed: ..." (tampered value or wrong key bytes), "malformed ...".
Result<std::string> DecryptValue(const SecretKey& key, std::string_view value);

}  // namespace novacron::security
