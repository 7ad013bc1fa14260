// The schema: one entry per configuration key, the single description that drives parsing,
// defaults, the env/flag mapping, validation, `config show`, the JSON Schema and reload plans.
// Adding a key = a field in config.h + one entry in schema.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "config/config.h"

namespace novacron::config {

enum class ValueType { kString, kInt, kBool, kDuration, kSize, kEnum, kStringList };

// A key's value, independent of its C++ field type: kInt, kSize and kEnum (the index into
// enum_names) are int64_t; kDuration is milliseconds.
using Value =
    std::variant<std::string, int64_t, bool, std::chrono::milliseconds, std::vector<std::string>>;

struct KeySpec {
  std::string_view key;  // dotted path: "dwcp.transport.max_streams"
  ValueType type = ValueType::kString;
  std::string_view description;
  std::span<const std::string_view> enum_names;  // kEnum: allowed names, in enumerator order
  std::optional<int64_t> min;                    // kInt, kSize; kDuration in milliseconds
  std::optional<int64_t> max;
  bool secret = false;      // never shown, logged or echoed in errors
  bool reloadable = false;  // may change on SIGHUP without a restart
  // Set when the default depends on the machine (filled in by LoadConfig); says what it is.
  std::string_view dynamic_default;
  // An extra rule for one value (one list element for kStringList); "" when the value is fine.
  std::string (*check)(std::string_view value) = nullptr;
  Value (*get)(const Config&) = nullptr;
  void (*set)(Config&, const Value&) = nullptr;
};

// Every key, grouped by section in the order `config show` prints them.
const std::vector<KeySpec>& Schema();
// nullptr if `key` is not a dotted key path of the schema.
const KeySpec* FindKey(std::string_view key);
// The position of `spec` in Schema().
size_t KeyIndex(const KeySpec& spec);
// True for "dwcp" and "dwcp.transport": prefixes of keys that hold other keys.
bool IsSection(std::string_view path);
// Every key path and section path: the candidates for "did you mean".
const std::vector<std::string>& AllPaths();

// The value of `spec` in a default-constructed Config (dynamic defaults are empty there).
Value DefaultValue(const KeySpec& spec);

// Parses user text for `spec` (lists: comma-separated). The error message says what was expected
// and what was given (masked for secrets), without the key or the source.
Result<Value> ParseValue(const KeySpec& spec, std::string_view text);
// The text form ParseValue reads back (lists: comma-separated; secrets are NOT masked here).
std::string FormatValue(const KeySpec& spec, const Value& value);
// Range and per-value rules; "" when the value is allowed, else e.g. "9999 is out of
// range 1..4096".
std::string CheckValue(const KeySpec& spec, const Value& value);
// The rules CheckValue applies to item `index` (0-based) of a kStringList: "" when it is fine,
// else e.g. "item 2: must not be empty". The file layer uses it to point at the item's line.
std::string CheckListItem(const KeySpec& spec, size_t index, std::string_view item);

// "an integer", "a duration", ...: for messages.
std::string_view TypeName(ValueType type);
// NOVACRON_DWCP_TRANSPORT_MAX_STREAMS for dwcp.transport.max_streams.
std::string EnvName(std::string_view key);

}  // namespace novacron::config
