#include "config/render.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "config/key_tree.h"
#include "config/schema.h"

namespace novacron::config {
namespace {

constexpr std::string_view kMasked = "********";
constexpr std::string_view kUnset = "(unset)";

// Rendered text is a config file: a literal "${" must not be read back as a variable.
std::string EscapeVariables(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "${") == 0) out += '$';
    out += text[i];
  }
  return out;
}

class Renderer {
 public:
  Renderer(const LoadedConfig& loaded, bool with_sources)
      : loaded_(loaded), with_sources_(with_sources) {}

  std::string Yaml() {
    YAML::Emitter out;
    out << YAML::BeginMap;
    for (const KeyTree& child : SchemaTree().children) EmitYaml(out, child);
    out << YAML::EndMap;
    if (!out.good()) return "# cannot render configuration: " + out.GetLastError() + "\n";
    return std::string(out.c_str()) + "\n";
  }

  std::string Json() {
    nlohmann::ordered_json root = nlohmann::ordered_json::object();
    for (const KeyTree& child : SchemaTree().children) root[child.name] = ToJson(child);
    // Strings come from files as raw bytes; replace invalid UTF-8 instead of throwing.
    return root.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }

 private:
  // Secrets, and any value that was encrypted in its file (docs/security.md), are masked.
  bool Masked(const KeySpec& spec) const {
    return spec.secret || loaded_.SourceOf(spec.key).encrypted;
  }

  // What is shown for a key: masked secrets, data_dir as written.
  Value Shown(const KeySpec& spec) const {
    Value value = spec.get(loaded_.config);
    if (spec.key == "system.data_dir" && !loaded_.data_dir_as_written.empty()) {
      value = loaded_.data_dir_as_written;
    }
    if (Masked(spec)) {
      const auto* s = std::get_if<std::string>(&value);
      return std::string((s != nullptr && s->empty()) ? kUnset : kMasked);
    }
    if (auto* s = std::get_if<std::string>(&value)) *s = EscapeVariables(*s);
    if (auto* list = std::get_if<std::vector<std::string>>(&value)) {
      for (std::string& item : *list) item = EscapeVariables(item);
    }
    return value;
  }

  std::string SourceText(const KeySpec& spec) const {
    std::string text = loaded_.SourceOf(spec.key).ToString();
    if (spec.key == "system.data_dir" &&
        loaded_.config.system.data_dir != loaded_.data_dir_as_written) {
      text += ", resolved to " + loaded_.config.system.data_dir;
    }
    return text;
  }

  void EmitYaml(YAML::Emitter& out, const KeyTree& node) {
    out << YAML::Key << node.name << YAML::Value;
    if (node.leaf == nullptr) {
      out << YAML::BeginMap;
      for (const KeyTree& child : node.children) EmitYaml(out, child);
      out << YAML::EndMap;
      return;
    }
    const KeySpec& spec = *node.leaf;
    Value value = Shown(spec);
    if (Masked(spec)) {
      out << YAML::DoubleQuoted << std::get<std::string>(value);
    } else if (spec.type == ValueType::kInt) {
      out << std::get<int64_t>(value);
    } else if (spec.type == ValueType::kBool) {
      out << std::get<bool>(value);
    } else if (spec.type == ValueType::kStringList) {
      out << YAML::Flow << YAML::BeginSeq;
      for (const std::string& item : std::get<std::vector<std::string>>(value)) out << item;
      out << YAML::EndSeq;
    } else {
      out << YAML::DoubleQuoted << FormatValue(spec, value);
    }
    if (with_sources_) out << YAML::Comment(SourceText(spec));
  }

  nlohmann::ordered_json ToJson(const KeyTree& node) {
    if (node.leaf == nullptr) {
      nlohmann::ordered_json section = nlohmann::ordered_json::object();
      for (const KeyTree& child : node.children) section[child.name] = ToJson(child);
      return section;
    }
    const KeySpec& spec = *node.leaf;
    Value value = Shown(spec);
    nlohmann::ordered_json json;
    if (Masked(spec)) {
      json = std::get<std::string>(value);
    } else if (spec.type == ValueType::kInt) {
      json = std::get<int64_t>(value);
    } else if (spec.type == ValueType::kBool) {
      json = std::get<bool>(value);
    } else if (spec.type == ValueType::kStringList) {
      json = std::get<std::vector<std::string>>(value);
    } else {
      json = FormatValue(spec, value);
    }
    if (!with_sources_) return json;
    return {{"value", std::move(json)}, {"source", SourceText(spec)}};
  }

  const LoadedConfig& loaded_;
  bool with_sources_;
};

}  // namespace

std::string RenderConfig(const LoadedConfig& loaded, Format format, bool with_sources) {
  Renderer renderer(loaded, with_sources);
  try {
    return format == Format::kJson ? renderer.Json() : renderer.Yaml();
  } catch (const std::exception& e) {  // allocation, or a library surprise: never escapes
    return std::string("# cannot render configuration: ") + e.what() + "\n";
  }
}

}  // namespace novacron::config
