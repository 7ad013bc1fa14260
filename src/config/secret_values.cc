// Decrypting enc:v1: configuration values (docs/security.md, "Secrets in configuration files").
// Runs after every layer is merged and before cross-field validation: security.key_file may be
// set by any layer, and the plaintext must pass the same checks as a value written in the clear.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/builder.h"
#include "security/secret_key.h"
#include "security/secret_value.h"

namespace novacron::config {
namespace {

constexpr std::string_view kKeyFileKey = "security.key_file";

// The key, or the reason there is none (already reported on security.key_file when it is the
// file that is wrong).
struct LoadedKey {
  std::optional<security::SecretKey> key;
  std::string problem;  // for each encrypted value when `key` is empty
};

LoadedKey LoadKey(ConfigBuilder& builder, const Environment& env, const std::string& working_dir) {
  LoadedKey out;
  std::optional<std::string> env_value;
  if (auto it = env.find(security::kSecretKeyVariable); it != env.end() && !it->second.empty()) {
    env_value = it->second;
  }
  std::string key_file = builder.config().security.key_file;
  if (!key_file.empty() && std::filesystem::path(key_file).is_relative() && !working_dir.empty()) {
    key_file = (std::filesystem::path(working_dir) / key_file).string();
  }
  Result<security::SecretKey> key = security::LoadSecretKey(env_value, key_file);
  if (key.ok()) {
    out.key.emplace(std::move(key).value());
    return out;
  }
  if (env_value.has_value()) {
    builder.AddIssue(Source::Env(std::string(security::kSecretKeyVariable)), "",
                     key.status().message());
    out.problem = "cannot decrypt: NOVACRON_SECRET_KEY does not hold a usable key";
  } else if (key_file.empty()) {
    out.problem = "the value is encrypted (enc:v1:) but no key is configured: set " +
                  std::string(kKeyFileKey) +
                  " to a key file (`novacron secret keygen --out FILE` makes one) or "
                  "NOVACRON_SECRET_KEY";
  } else {
    builder.AddIssue(builder.SourceOf(kKeyFileKey), std::string(kKeyFileKey),
                     key.status().message());
    out.problem = "cannot decrypt: the key file " + key_file + " could not be loaded";
  }
  return out;
}

// The plaintext of one value, or "" with an issue recorded.
std::optional<std::string> DecryptOne(ConfigBuilder& builder, const KeySpec& spec,
                                      const Source& source, const security::SecretKey& key,
                                      const std::string& value, const std::string& item) {
  Result<std::string> plain = security::DecryptValue(key, value);
  if (!plain.ok()) {
    builder.AddIssue(source, std::string(spec.key),
                     item + "cannot decrypt: " + plain.status().message());
    return std::nullopt;
  }
  return std::move(plain).value();
}

}  // namespace

void DecryptSecretValues(ConfigBuilder& builder, const Environment& env,
                         const std::string& working_dir) {
  std::vector<std::optional<ConfigBuilder::EncryptedValue>>& pending = builder.encrypted();
  const std::vector<KeySpec>& schema = Schema();
  bool any = false;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (!pending[i].has_value()) continue;
    if (schema[i].key == kKeyFileKey) {
      // It names the key that decrypts the others.
      builder.AddIssue(pending[i]->source, std::string(kKeyFileKey),
                       "cannot be encrypted: it names the key that decrypts the other values; "
                       "write the path in the clear");
      pending[i].reset();
      continue;
    }
    any = true;
  }
  if (!any) return;

  LoadedKey loaded = LoadKey(builder, env, working_dir);
  for (size_t i = 0; i < pending.size(); ++i) {
    if (!pending[i].has_value()) continue;
    ConfigBuilder::EncryptedValue entry = std::move(*pending[i]);
    pending[i].reset();
    const KeySpec& spec = schema[i];
    if (!loaded.key.has_value()) {
      builder.AddIssue(entry.source, std::string(spec.key), loaded.problem);
      continue;
    }
    if (auto* text = std::get_if<std::string>(&entry.value)) {
      std::optional<std::string> plain =
          DecryptOne(builder, spec, entry.source, *loaded.key, *text, "");
      if (plain.has_value()) builder.SetDecrypted(spec, std::move(*plain), entry.source);
      continue;
    }
    auto& items = std::get<std::vector<std::string>>(entry.value);
    bool ok = true;
    for (size_t n = 0; n < items.size(); ++n) {
      if (!security::IsEncryptedValue(items[n])) continue;
      std::optional<std::string> plain =
          DecryptOne(builder, spec, entry.source, *loaded.key, items[n],
                     "item " + std::to_string(n + 1) + ": ");
      if (plain.has_value()) {
        items[n] = std::move(*plain);
      } else {
        ok = false;
      }
    }
    if (ok) builder.SetDecrypted(spec, std::move(items), entry.source);
  }
}

}  // namespace novacron::config
