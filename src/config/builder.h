// Internal to the loader: a Config under construction, with the source of each value and the
// issues found so far. Every layer (files, env, flags) writes through it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/interpolate.h"
#include "config/issue.h"
#include "config/schema.h"

namespace novacron::config {

struct FlagOverrides;

class ConfigBuilder {
 public:
  ConfigBuilder();  // defaults everywhere

  // Parses `text` for `spec`, checks it and stores it; records an issue instead on failure.
  void SetText(const KeySpec& spec, std::string_view text, const Source& source);
  // Checks `value` and stores it; records an issue instead on failure. A string (or a list with
  // an item) starting with "enc:v1:" is kept aside instead, until DecryptSecretValues.
  void SetValue(const KeySpec& spec, Value value, const Source& source);
  // Stores a value decrypted from an enc:v1: value. The check runs as for SetValue, but its
  // message never shows the value.
  void SetDecrypted(const KeySpec& spec, Value plaintext, Source source);
  void AddIssue(const Source& source, std::string key, std::string message,
                Severity severity = Severity::kError);

  Config& config() { return config_; }
  std::vector<Source>& sources() { return sources_; }
  std::vector<ConfigIssue>& issues() { return issues_; }
  const Source& SourceOf(std::string_view key) const;

  // A value still encrypted, as the last layer that set the key wrote it.
  struct EncryptedValue {
    Value value;  // a string, or a list of strings some of which are encrypted
    Source source;
  };
  // One per Schema() entry; set while the key's winning value is encrypted.
  std::vector<std::optional<EncryptedValue>>& encrypted() { return encrypted_; }

 private:
  Config config_;
  std::vector<Source> sources_;
  std::vector<ConfigIssue> issues_;
  std::vector<std::optional<EncryptedValue>> encrypted_;
};

// Whether `text` is an enc:v1: value, checked only once decrypted.
bool IsEncryptedText(std::string_view text);

// Layers, in precedence order. Each records its problems in the builder and goes on.
void ApplyConfigText(ConfigBuilder& builder, std::string_view name, std::string_view content,
                     const Environment& env);
void ApplyEnvironment(ConfigBuilder& builder, const Environment& env);
void ApplyFlags(ConfigBuilder& builder, const FlagOverrides& flags);
// Sets api.host and/or api.port from HOST:PORT text (--listen, NOVACRON_LISTEN_ADDRESS).
void ApplyListen(ConfigBuilder& builder, std::string_view text, const Source& source);

// Decrypts the enc:v1: values kept aside by SetValue, once every layer is merged (the key comes
// from NOVACRON_SECRET_KEY in `env` or security.key_file; see config/secret_values.cc).
void DecryptSecretValues(ConfigBuilder& builder, const Environment& env,
                         const std::string& working_dir);

// Rules between keys (level 2), on the merged config.
void CheckCrossField(const Config& config, const std::vector<Source>& sources,
                     std::vector<ConfigIssue>& issues);

}  // namespace novacron::config
