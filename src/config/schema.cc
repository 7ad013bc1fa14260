// Lookups in the key table and the conversions between text, Value and checks.
#include "config/schema.h"

#include <limits>
#include <set>

#include "config/units.h"

namespace novacron::config {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto byte = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      extra = 1;
      cp = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      extra = 2;
      cp = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      extra = 3;
      cp = byte & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string Shown(const KeySpec& spec, std::string_view text) {
  if (spec.secret) return "(secret)";
  std::string out;  // appended: `"\"" + std::string(...)` trips GCC 12's -Wrestrict at -O3
  out += '"';
  out += text;
  out += '"';
  return out;
}

std::string EnumList(const KeySpec& spec) {
  std::string out;
  for (std::string_view name : spec.enum_names) {
    if (!out.empty()) out += "|";
    out += name.empty() ? "\"\"" : std::string(name);
  }
  return out;
}

}  // namespace

const KeySpec* FindKey(std::string_view key) {
  for (const KeySpec& spec : Schema()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

size_t KeyIndex(const KeySpec& spec) { return static_cast<size_t>(&spec - Schema().data()); }

bool IsSection(std::string_view path) {
  if (path.empty()) return false;
  for (const KeySpec& spec : Schema()) {
    if (spec.key.size() > path.size() && spec.key.substr(0, path.size()) == path &&
        spec.key[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

const std::vector<std::string>& AllPaths() {
  static const std::vector<std::string> all = [] {
    std::set<std::string> paths;
    for (const KeySpec& spec : Schema()) {
      std::string_view key = spec.key;
      for (size_t dot = key.find('.'); dot != std::string_view::npos;
           dot = key.find('.', dot + 1)) {
        paths.emplace(key.substr(0, dot));
      }
      paths.emplace(key);
    }
    return std::vector<std::string>(paths.begin(), paths.end());
  }();
  return all;
}

Value DefaultValue(const KeySpec& spec) {
  static const Config defaults;
  return spec.get(defaults);
}

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "a string";
    case ValueType::kInt:
      return "an integer";
    case ValueType::kBool:
      return "a boolean (true or false)";
    case ValueType::kDuration:
      return "a duration such as 500ms, 30s, 5m, 24h, 90d or 1m30s";
    case ValueType::kSize:
      return "a size such as 1048576, 512KiB, 1MiB or 10MB";
    case ValueType::kEnum:
      return "one of";
    case ValueType::kStringList:
      return "a list of strings";
  }
  return "a value";
}

Result<Value> ParseValue(const KeySpec& spec, std::string_view text) {
  auto expected = [&]() {
    std::string what(TypeName(spec.type));
    if (spec.type == ValueType::kEnum) {
      what += ' ';
      what += EnumList(spec);
    }
    return InvalidArgument("expected " + what + ", got " + Shown(spec, text));
  };
  if (!IsValidUtf8(text)) return InvalidArgument("value is not valid UTF-8");
  switch (spec.type) {
    case ValueType::kString:
      return Value(std::string(text));
    case ValueType::kInt: {
      std::string_view t = TrimSpaces(text);
      bool negative = !t.empty() && t.front() == '-';
      if (negative || (!t.empty() && t.front() == '+')) t.remove_prefix(1);
      if (t.empty()) return expected();
      int64_t n = 0;
      for (char c : t) {
        if (c < '0' || c > '9') return expected();
        if (n > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) {
          return InvalidArgument("integer " + Shown(spec, text) + " is too large");
        }
        n = n * 10 + (c - '0');
      }
      return Value(negative ? -n : n);
    }
    case ValueType::kBool: {
      std::string t = Lower(TrimSpaces(text));
      if (t == "true" || t == "yes" || t == "on" || t == "1") return Value(true);
      if (t == "false" || t == "no" || t == "off" || t == "0") return Value(false);
      return expected();
    }
    case ValueType::kDuration: {
      Result<std::chrono::milliseconds> d = ParseDuration(text);
      if (!d.ok()) return expected();
      return Value(*d);
    }
    case ValueType::kSize: {
      Result<int64_t> n = ParseSize(text);
      if (!n.ok()) return expected();
      return Value(*n);
    }
    case ValueType::kEnum: {
      std::string t = Lower(TrimSpaces(text));
      for (size_t i = 0; i < spec.enum_names.size(); ++i) {
        if (spec.enum_names[i] == t) return Value(static_cast<int64_t>(i));
      }
      return expected();
    }
    case ValueType::kStringList: {
      std::vector<std::string> items;
      std::string_view rest = text;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view item = TrimSpaces(rest.substr(0, comma));
        if (!item.empty()) items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      return Value(std::move(items));
    }
  }
  return Internal("unknown value type for " + std::string(spec.key));
}

std::string FormatValue(const KeySpec& spec, const Value& value) {
  switch (spec.type) {
    case ValueType::kString:
      return std::get<std::string>(value);
    case ValueType::kInt:
      return std::to_string(std::get<int64_t>(value));
    case ValueType::kBool:
      return std::get<bool>(value) ? "true" : "false";
    case ValueType::kDuration:
      return FormatDuration(std::get<std::chrono::milliseconds>(value));
    case ValueType::kSize:
      return FormatSize(std::get<int64_t>(value));
    case ValueType::kEnum: {
      int64_t i = std::get<int64_t>(value);
      if (i < 0 || static_cast<size_t>(i) >= spec.enum_names.size()) return "?";
      return std::string(spec.enum_names[static_cast<size_t>(i)]);
    }
    case ValueType::kStringList: {
      std::string out;
      for (const std::string& item : std::get<std::vector<std::string>>(value)) {
        if (!out.empty()) out += ",";
        out += item;
      }
      return out;
    }
  }
  return "";
}

std::string CheckValue(const KeySpec& spec, const Value& value) {
  std::optional<int64_t> n;
  if (const auto* i = std::get_if<int64_t>(&value); i && spec.type != ValueType::kEnum) n = *i;
  if (const auto* d = std::get_if<std::chrono::milliseconds>(&value)) n = d->count();
  if (n.has_value()) {
    bool below = spec.min.has_value() && *n < *spec.min;
    bool above = spec.max.has_value() && *n > *spec.max;
    if (below || above) {
      auto show = [&](int64_t v) {
        if (spec.type == ValueType::kDuration) {
          return FormatDuration(std::chrono::milliseconds(v));
        }
        return spec.type == ValueType::kSize ? FormatSize(v) : std::to_string(v);
      };
      std::string shown = spec.secret ? "value" : show(*n);
      if (spec.min.has_value() && spec.max.has_value()) {
        return shown + " is out of range " + show(*spec.min) + ".." + show(*spec.max);
      }
      return below ? shown + " is below the minimum " + show(*spec.min)
                   : shown + " is above the maximum " + show(*spec.max);
    }
  }
  if (const auto* s = std::get_if<std::string>(&value); s && !IsValidUtf8(*s)) {
    return "value is not valid UTF-8";
  }
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    for (size_t i = 0; i < list->size(); ++i) {
      std::string problem = CheckListItem(spec, i, (*list)[i]);
      if (!problem.empty()) return problem;
    }
    return "";
  }
  if (spec.check != nullptr) {
    if (const auto* s = std::get_if<std::string>(&value)) return spec.check(*s);
  }
  return "";
}

std::string CheckListItem(const KeySpec& spec, size_t index, std::string_view item) {
  std::string name = "item " + std::to_string(index + 1);
  if (!IsValidUtf8(item)) return name + " is not valid UTF-8";
  if (spec.check == nullptr) return "";
  std::string problem = spec.check(item);
  return problem.empty() ? "" : name + ": " + problem;
}

std::string EnvName(std::string_view key) {
  std::string out = "NOVACRON_";
  for (char c : key) {
    if (c == '.') {
      out += '_';
    } else if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace novacron::config
