// Base64 encoding and decoding for secret values and key files (see secret_base64.h).
#include "security/secret_base64.h"

namespace novacron::security {
namespace {

constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The 6-bit value of `c`, or -1. Standard '+' '/' only when `any_alphabet`.
int SextetOf(char c, bool any_alphabet) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  if (any_alphabet && c == '+') return 62;
  if (any_alphabet && c == '/') return 63;
  return -1;
}

std::optional<std::vector<uint8_t>> Decode(std::string_view text, bool any_alphabet) {
  // One leftover character cannot carry a whole byte.
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int sextet = SextetOf(c, any_alphabet);
    if (sextet < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(sextet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  // Canonical form only: the unused low bits of the last character must be zero, so that one
  // byte string has exactly one encoding.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string Base64UrlEncode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kUrlAlphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kUrlAlphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

std::optional<std::vector<uint8_t>> Base64UrlDecode(std::string_view text) {
  return Decode(text, false);
}

std::optional<std::vector<uint8_t>> Base64DecodeAny(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return Decode(text, true);
}

}  // namespace novacron::security
