#include "config/json_schema.h"

#include <nlohmann/json.hpp>

#include "config/key_tree.h"
#include "config/schema.h"
#include "config/units.h"

namespace novacron::config {
namespace {

// Matches what ParseDuration and ParseSize accept.
constexpr const char* kDurationPattern = "^(0|([0-9]+(ms|s|m|h|d))+)$";
constexpr const char* kSizePattern = "^[0-9]+ ?(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$";

nlohmann::json KeySchema(const KeySpec& spec) {
  nlohmann::json s;
  std::string description(spec.description);
  if (!spec.dynamic_default.empty()) {
    description += " (default: " + std::string(spec.dynamic_default) + ")";
  }
  s["description"] = description;
  Value def = DefaultValue(spec);
  switch (spec.type) {
    case ValueType::kString:
      s["type"] = "string";
      break;
    case ValueType::kInt:
      s["type"] = "integer";
      if (spec.min) s["minimum"] = *spec.min;
      if (spec.max) s["maximum"] = *spec.max;
      break;
    case ValueType::kBool:
      s["type"] = "boolean";
      break;
    case ValueType::kDuration:
      s["type"] = "string";
      s["pattern"] = kDurationPattern;
      // JSON Schema cannot bound a duration string: the range goes into the description.
      if (spec.min && spec.max) {
        s["description"] = description + "; " +
                           FormatDuration(std::chrono::milliseconds(*spec.min)) + ".." +
                           FormatDuration(std::chrono::milliseconds(*spec.max));
      } else if (spec.min) {
        s["description"] =
            description + "; at least " + FormatDuration(std::chrono::milliseconds(*spec.min));
      }
      break;
    case ValueType::kSize:
      s["type"] = {"integer", "string"};
      s["pattern"] = kSizePattern;             // applies to strings only
      if (spec.min) s["minimum"] = *spec.min;  // applies to integers only
      if (spec.max) s["maximum"] = *spec.max;
      break;
    case ValueType::kEnum: {
      nlohmann::json names = nlohmann::json::array();
      bool boolean_names = false;
      for (std::string_view name : spec.enum_names) {
        names.push_back(name);
        boolean_names = boolean_names || name == "true" || name == "false";
      }
      // require_kvm: true/false are also written as YAML/JSON booleans.
      if (boolean_names) {
        names.push_back(true);
        names.push_back(false);
      }
      s["enum"] = names;
      break;
    }
    case ValueType::kStringList:
      s["type"] = "array";
      s["items"] = {{"type", "string"}};
      break;
  }
  if (spec.dynamic_default.empty()) {
    switch (spec.type) {
      case ValueType::kInt:
        s["default"] = std::get<int64_t>(def);
        break;
      case ValueType::kBool:
        s["default"] = std::get<bool>(def);
        break;
      case ValueType::kStringList:
        s["default"] = std::get<std::vector<std::string>>(def);
        break;
      default:
        s["default"] = FormatValue(spec, def);
        break;
    }
  }
  if (spec.secret) s["writeOnly"] = true;
  if (spec.reloadable) s["x-reloadable"] = true;
  return s;
}

nlohmann::json SectionSchema(const KeyTree& node) {
  nlohmann::json s;
  s["type"] = "object";
  s["additionalProperties"] = false;
  nlohmann::json properties = nlohmann::json::object();
  for (const KeyTree& child : node.children) {
    properties[child.name] = child.leaf ? KeySchema(*child.leaf) : SectionSchema(child);
  }
  s["properties"] = properties;
  return s;
}

}  // namespace

nlohmann::json JsonSchema() {
  nlohmann::json schema = SectionSchema(SchemaTree());
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["$id"] = "https://novacron.dev/schemas/novacron.schema.json";
  schema["title"] = "NovaCron daemon configuration (novacron.yaml)";
  return schema;
}

}  // namespace novacron::config
