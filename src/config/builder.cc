#include "config/builder.h"

#include <utility>

namespace novacron::config {

ConfigBuilder::ConfigBuilder() : sources_(Schema().size()) {}

void ConfigBuilder::SetText(const KeySpec& spec, std::string_view text, const Source& source) {
  Result<Value> value = ParseValue(spec, text);
  if (!value.ok()) {
    AddIssue(source, std::string(spec.key), value.status().message());
    return;
  }
  SetValue(spec, std::move(value).value(), source);
}

void ConfigBuilder::SetValue(const KeySpec& spec, Value value, const Source& source) {
  std::string problem = CheckValue(spec, value);
  if (!problem.empty()) {
    AddIssue(source, std::string(spec.key), std::move(problem));
    return;
  }
  spec.set(config_, value);
  sources_[KeyIndex(spec)] = source;
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
