#include "config/builder.h"

#include <utility>

namespace novacron::config {
namespace {

constexpr std::string_view kEncryptedPrefix = "enc:v1:";  // security/secret_value.h

bool IsEncrypted(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return IsEncryptedText(*s);
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    for (const std::string& item : *list) {
      if (IsEncryptedText(item)) return true;
    }
  }
  return false;
}

// `text` with every occurrence of the decrypted value(s) replaced, so that a check's message
// cannot echo a secret.
std::string Scrub(std::string text, const Value& plaintext) {
  auto scrub = [&text](const std::string& secret) {
    if (secret.empty()) return;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "(secret)");
      at += 8;
    }
  };
  if (const auto* s = std::get_if<std::string>(&plaintext)) scrub(*s);
  if (const auto* list = std::get_if<std::vector<std::string>>(&plaintext)) {
    for (const std::string& item : *list) scrub(item);
  }
  return text;
}

}  // namespace

bool IsEncryptedText(std::string_view text) {
  return text.substr(0, kEncryptedPrefix.size()) == kEncryptedPrefix;
}

ConfigBuilder::ConfigBuilder() : sources_(Schema().size()), encrypted_(Schema().size()) {}

void ConfigBuilder::SetText(const KeySpec& spec, std::string_view text, const Source& source) {
  Result<Value> value = ParseValue(spec, text);
  if (!value.ok()) {
    AddIssue(source, std::string(spec.key), value.status().message());
    return;
  }
  SetValue(spec, std::move(value).value(), source);
}

void ConfigBuilder::SetValue(const KeySpec& spec, Value value, const Source& source) {
  if (IsEncrypted(value)) {
    // Decrypted once every layer is merged: the key file may be set by a later layer.
    encrypted_[KeyIndex(spec)] = EncryptedValue{std::move(value), source};
    return;
  }
  std::string problem = CheckValue(spec, value);
  if (!problem.empty()) {
    AddIssue(source, std::string(spec.key), std::move(problem));
    return;
  }
  spec.set(config_, value);
  sources_[KeyIndex(spec)] = source;
  encrypted_[KeyIndex(spec)].reset();  // a later layer's plain value wins
}

void ConfigBuilder::SetDecrypted(const KeySpec& spec, Value plaintext, Source source) {
  KeySpec masked = spec;  // range messages show "value" instead of the number
  masked.secret = true;
  std::string problem = CheckValue(masked, plaintext);
  if (!problem.empty()) {
    AddIssue(source, std::string(spec.key), "decrypted value: " + Scrub(problem, plaintext));
    return;
  }
  spec.set(config_, plaintext);
  source.encrypted = true;
  sources_[KeyIndex(spec)] = std::move(source);
}

void ConfigBuilder::AddIssue(const Source& source, std::string key, std::string message,
                             Severity severity) {
  issues_.push_back({source.Where(), std::move(key), std::move(message), severity});
}

const Source& ConfigBuilder::SourceOf(std::string_view key) const {
  static const Source kDefault;
  const KeySpec* spec = FindKey(key);
  return spec == nullptr ? kDefault : sources_[KeyIndex(*spec)];
}

}  // namespace novacron::config
