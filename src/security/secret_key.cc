// Named AES-256 keys: generation, the key file format, loading (see secret_key.h).
#include "security/secret_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <vector>

#include "security/secret_base64.h"
#include "security/secret_file.h"

namespace novacron::security {
namespace {

constexpr size_t kMaxKeyFileBytes = 64 << 10;  // a key file is one line; more is a mistake
constexpr std::string_view kVersion = "v1";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    line = Trim(line);
    if (line.empty()) return fields;
    size_t end = line.find_first_of(" \t");
    fields.push_back(line.substr(0, end));
    if (end == std::string_view::npos) return fields;
    line.remove_prefix(end);
  }
}

// Decoded key bytes, wiped when they go out of scope.
struct WipedBytes {
  std::vector<uint8_t> bytes;
  ~WipedBytes() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
};

std::string NameRule() { return "1-64 characters of letters, digits, '.', '_' and '-'"; }

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Result<SecretKey> SecretKey::Generate(std::string name) {
  if (!IsValidKeyName(name)) {
    return InvalidArgument("invalid key name '" + name + "': use " + NameRule());
  }
  SecretKey key;
  key.name_ = std::move(name);
  key.origin_ = "generated";
  if (RAND_bytes(key.bytes_.data(), static_cast<int>(key.bytes_.size())) != 1) {
    return Internal("cannot generate a key: the OpenSSL random generator failed");
  }
  return key;
}

Result<SecretKey> SecretKey::FromBytes(std::string name, std::span<const uint8_t> bytes) {
  if (!IsValidKeyName(name)) {
    return InvalidArgument("invalid key name '" + name + "': use " + NameRule());
  }
  if (bytes.size() != kSecretKeyBytes) {
    return InvalidArgument("a key is " + std::to_string(kSecretKeyBytes) + " bytes, got " +
                           std::to_string(bytes.size()));
  }
  SecretKey key;
  key.name_ = std::move(name);
  std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
  return key;
}

Result<SecretKey> SecretKey::Parse(std::string_view text, std::string_view origin,
                                   bool allow_bare_base64) {
  const std::string where(origin);
  const std::string format =
      "expected one line `novacron-secret-key v1 NAME BASE64` (make one with `novacron secret "
      "keygen --out FILE`)";
  std::vector<std::string_view> key_line;
  int key_lines = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = Trim(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!line.empty() && line.front() != '#') {
      ++key_lines;
      key_line = Fields(line);
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (key_lines == 0) return InvalidArgument(where + " holds no key: " + format);
  if (key_lines > 1) return InvalidArgument(where + " holds more than one line: " + format);

  std::string name;
  std::string_view encoded;
  if (key_line.size() == 1 && allow_bare_base64) {
    name = std::string(kEnvKeyName);
    encoded = key_line[0];
  } else if (key_line.size() == 4 && key_line[0] == kSecretKeyMagic) {
    if (key_line[1] != kVersion) {
      return InvalidArgument(where + ": unsupported key format version '" +
                             std::string(key_line[1]) + "' (this novacron reads v1)");
    }
    name = std::string(key_line[2]);
    if (!IsValidKeyName(name)) {
      return InvalidArgument(where + ": invalid key name '" + name + "': use " + NameRule());
    }
    encoded = key_line[3];
  } else {
    // The line is not echoed: it may be key material.
    return InvalidArgument(where + ": not a key: " + format +
                           (allow_bare_base64 ? ", or the base64 of 32 bytes alone" : ""));
  }
  WipedBytes decoded;
  if (auto bytes = Base64DecodeAny(encoded)) decoded.bytes = std::move(*bytes);
  if (decoded.bytes.size() != kSecretKeyBytes) {
    return InvalidArgument(where + ": the key is not the base64 of " +
                           std::to_string(kSecretKeyBytes) + " bytes (AES-256)");
  }
  Result<SecretKey> key = FromBytes(std::move(name), decoded.bytes);
  if (key.ok()) key->origin_ = where;
  return key;
}

Result<SecretKey> SecretKey::LoadFile(const std::string& path) {
  Result<std::string> text = ReadPrivateFile(path, kMaxKeyFileBytes);
  if (!text.ok()) return text.status();
  Result<SecretKey> key = Parse(*text, path);
  OPENSSL_cleanse(text->data(), text->size());
  return key;
}

SecretKey::SecretKey(SecretKey&& other) noexcept
    : name_(std::move(other.name_)), origin_(std::move(other.origin_)), bytes_(other.bytes_) {
  other.Wipe();
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    name_ = std::move(other.name_);
    origin_ = std::move(other.origin_);
    bytes_ = other.bytes_;
    other.Wipe();
  }
  return *this;
}

SecretKey::~SecretKey() { Wipe(); }

void SecretKey::Wipe() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string SecretKey::ToText() const {
  return std::string(kSecretKeyMagic) + " " + std::string(kVersion) + " " + name_ + " " +
         Base64UrlEncode(bytes_) + "\n";
}

Result<SecretKey> LoadSecretKey(const std::optional<std::string>& env_value,
                                const std::string& key_file) {
  if (env_value.has_value()) {
    return SecretKey::Parse(*env_value, kSecretKeyVariable, /*allow_bare_base64=*/true);
  }
  if (key_file.empty()) {
    return NotFound(
        "no secret key: set security.key_file to a key file (make one with "
        "`novacron secret keygen --out FILE`) or NOVACRON_SECRET_KEY");
  }
  return SecretKey::LoadFile(key_file);
}

}  // namespace novacron::security
