// Base64 for secrets: base64url without padding (RFC 4648 §5) for enc:v1: values, and a lenient
// decoder that also reads the standard alphabet with padding, for key text pasted from
// `openssl rand -base64 32` (docs/security.md, "Secrets in configuration files").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace novacron::security {

// base64url, no '=' padding.
std::string Base64UrlEncode(std::span<const uint8_t> bytes);

// Strict base64url without padding: nullopt on any other character or an impossible length.
std::optional<std::vector<uint8_t>> Base64UrlDecode(std::string_view text);

// Either alphabet ('+' '/' or '-' '_'), optional '=' padding: nullopt when not base64.
std::optional<std::vector<uint8_t>> Base64DecodeAny(std::string_view text);

}  // namespace novacron::security
