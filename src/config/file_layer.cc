// The file layer: YAML or JSON text (yaml-cpp reads both) walked against the schema. Positions
// come from yaml-cpp marks; every problem is recorded and the walk goes on.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "config/builder.h"
#include "config/suggest.h"

namespace novacron::config {
namespace {

std::string NodeKind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "\"" + node.Scalar() + "\"";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "something else";
}

// Sees where the parser's second document starts, without building nodes. YAML::LoadAll is not
// used: yaml-cpp 0.7 loops forever, allocating, on input such as "{}," (yaml-cpp issue #1040,
// fixed upstream by PR #1319); here the loop is ours and stops after two documents.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ == 2) second_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::optional<YAML::Mark> second() const { return second_; }

 private:
  int documents_ = 0;
  std::optional<YAML::Mark> second_;
};

// Throws YAML::Exception on a syntax error, like YAML::Load.
std::optional<YAML::Mark> SecondDocument(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  for (int i = 0; i < 2 && parser.HandleNextDocument(counter); ++i) {
  }
  return counter.second();
}

class FileWalker {
 public:
  FileWalker(ConfigBuilder& builder, std::string_view name, const Environment& env)
      : builder_(builder), name_(name), env_(env) {}

  void Run(std::string_view content) {
    YAML::Node root;
    try {
      const std::string text(content);
      std::optional<YAML::Mark> second = SecondDocument(text);
      if (second.has_value()) {
        builder_.AddIssue(At(*second), "",
                          "content after the first document (several YAML documents in one "
                          "file are not supported)");
        return;
      }
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      builder_.AddIssue(At(e.mark), "", "invalid YAML/JSON: " + e.msg);
      return;
    }
    if (root.IsNull()) return;  // an empty file configures nothing
    if (!root.IsMap()) {
      builder_.AddIssue(
          At(root.Mark()), "",
          "expected a mapping of sections (system:, api:, ...), got " + NodeKind(root));
      return;
    }
    WalkMap(root, "");
  }

 private:
  Source At(const YAML::Mark& mark) const {
    Source s;
    s.kind = SourceKind::kFile;
    s.name = name_;
    if (!mark.is_null()) {
      s.line = mark.line + 1;
      s.column = mark.column + 1;
    }
    return s;
  }

  void WalkMap(const YAML::Node& map, const std::string& prefix) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      // Copies (cheap handles): the iterator's pair is a temporary.
      const YAML::Node key = entry.first;
      const YAML::Node value = entry.second;
      if (!key.IsScalar()) {
        builder_.AddIssue(At(key.Mark()), prefix, "keys must be plain names, got " + NodeKind(key));
        continue;
      }
      const std::string path = prefix.empty() ? key.Scalar() : prefix + "." + key.Scalar();
      if (!seen.insert(key.Scalar()).second) {
        builder_.AddIssue(At(key.Mark()), path, "duplicate key");
        continue;
      }
      if (const KeySpec* spec = FindKey(path)) {
        ApplyValue(*spec, key, value);
      } else if (IsSection(path)) {
        if (value.IsNull()) continue;  // "system:" with nothing under it
        if (!value.IsMap()) {
          builder_.AddIssue(At(value.Mark()), path,
                            "expected a section (a mapping of keys), got " + NodeKind(value));
          continue;
        }
        WalkMap(value, path);
      } else {
        builder_.AddIssue(At(key.Mark()), path, "unknown key" + DidYouMean(path, AllPaths()));
      }
    }
  }

  // Interpolates ${VAR}; records an issue and returns false on failure.
  bool Expand(const KeySpec& spec, const YAML::Node& scalar, Source& source, std::string& out) {
    std::vector<std::string> used;
    Result<std::string> text = Interpolate(scalar.Scalar(), env_, &used);
    if (!text.ok()) {
      builder_.AddIssue(source, std::string(spec.key), text.status().message());
      return false;
    }
    if (!used.empty() && source.variable.empty()) source.variable = used.front();
    out = std::move(text).value();
    return true;
  }

  void ApplyValue(const KeySpec& spec, const YAML::Node& key, const YAML::Node& value) {
    // A missing value ("key:") has no position of its own: point at the key.
    Source source = At(value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark());
    if (value.IsNull()) {
      // "key:" with nothing: an empty string, list or enum name ("" = auto); others need a value.
      bool empty_allowed =
          spec.type == ValueType::kString || spec.type == ValueType::kStringList ||
          std::find(spec.enum_names.begin(), spec.enum_names.end(), "") != spec.enum_names.end();
      if (empty_allowed) {
        builder_.SetText(spec, "", source);
      } else {
        std::string what(TypeName(spec.type));
        builder_.AddIssue(source, std::string(spec.key), "expected " + what + ", got null");
      }
      return;
    }
    if (value.IsScalar()) {
      std::string text;
      if (Expand(spec, value, source, text)) builder_.SetText(spec, text, source);
      return;
    }
    if (value.IsSequence() && spec.type == ValueType::kStringList) {
      std::vector<std::string> items;
      bool ok = true;
      for (const YAML::Node& item : value) {
        std::string text;
        size_t index = items.size();
        if (!item.IsScalar()) {
          builder_.AddIssue(At(item.Mark()), std::string(spec.key),
                            "expected a string list item, got " + NodeKind(item));
          ok = false;
        } else if (!Expand(spec, item, source, text)) {
          ok = false;
        } else if (!IsEncryptedText(text)) {
          // Checked here as well as in SetValue, so that a bad item is reported at its own line.
          std::string problem = CheckListItem(spec, index, text);
          if (!problem.empty()) {
            builder_.AddIssue(At(item.Mark()), std::string(spec.key), std::move(problem));
            ok = false;
          }
        }
        items.push_back(std::move(text));  // also a bad one: `index` counts every item
      }
      if (ok) builder_.SetValue(spec, std::move(items), source);
      return;
    }
    std::string what(TypeName(spec.type));
    if (spec.type == ValueType::kEnum) what = "a string";
    builder_.AddIssue(source, std::string(spec.key),
                      "expected " + what + ", got " + (value.IsMap() ? "a mapping" : "a list"));
  }

  ConfigBuilder& builder_;
  std::string name_;
  const Environment& env_;
};

}  // namespace

void ApplyConfigText(ConfigBuilder& builder, std::string_view name, std::string_view content,
                     const Environment& env) {
  try {
    FileWalker(builder, name, env).Run(content);
  } catch (const std::exception& e) {  // yaml-cpp node access; not expected after a good parse
    Source source = Source::File(std::string(name));
    builder.AddIssue(source, "", std::string("cannot read configuration: ") + e.what());
  }
}

}  // namespace novacron::config
