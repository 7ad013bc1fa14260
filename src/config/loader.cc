#include "config/loader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <system_error>
#include <utility>

#include "config/builder.h"
#include "config/schema.h"

namespace novacron::config {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 4 << 20;  // a config file is small; this is a mistake

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Reads a config file; records an issue and returns false on failure.
bool ReadConfigFile(ConfigBuilder& builder, const std::string& path, std::string& content) {
  Source source = Source::File(path);
  std::string ext = Lower(std::filesystem::path(path).extension().string());
  if (ext != ".yaml" && ext != ".yml" && ext != ".json") {
    builder.AddIssue(source, "", "unsupported file type '" + ext + "'; use .yaml, .yml or .json");
    return false;
  }
  std::error_code ec;
  std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    builder.AddIssue(source, "", "cannot read configuration file: " + ec.message());
    return false;
  }
  if (size > kMaxFileBytes) {
    builder.AddIssue(source, "", "file is too large (" + std::to_string(size) + " bytes)");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    builder.AddIssue(source, "",
                     std::string("cannot open configuration file: ") + std::strerror(errno));
    return false;
  }
  content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    builder.AddIssue(source, "", "error while reading configuration file");
    return false;
  }
  return true;
}

std::string HostName(const LoadOptions& options) {
  if (!options.hostname.empty()) return options.hostname;
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "";
  return buffer;
}

void SetDynamicDefaults(ConfigBuilder& builder, const LoadOptions& options) {
  Config& c = builder.config();
  c.system.node_id = HostName(options);
  builder.sources()[KeyIndex(*FindKey("system.node_id"))] = Source::Default("host name");
  auto xdg = options.env.find("XDG_STATE_HOME");
  if (xdg != options.env.end() && !xdg->second.empty()) {
    c.system.data_dir = (std::filesystem::path(xdg->second) / "novacron").string();
    builder.sources()[KeyIndex(*FindKey("system.data_dir"))] =
        Source::Default("$XDG_STATE_HOME/novacron");
  } else {
    c.system.data_dir = "./var";
  }
}

// Makes system.data_dir absolute ("~/" from HOME; relative to the working directory).
void ResolveDataDir(ConfigBuilder& builder, const LoadOptions& options) {
  std::string& dir = builder.config().system.data_dir;
  if (dir.empty()) return;  // already reported by the key's check
  const Source& source = builder.SourceOf("system.data_dir");
  std::filesystem::path path(dir);
  if (dir == "~" || dir.rfind("~/", 0) == 0) {
    auto home = options.env.find("HOME");
    if (home == options.env.end() || home->second.empty()) {
      builder.AddIssue(source, "system.data_dir", "starts with ~ but HOME is not set");
      return;
    }
    path = std::filesystem::path(home->second) / dir.substr(dir.size() > 1 ? 2 : 1);
  }
  if (path.is_relative()) {
    std::error_code ec;
    std::filesystem::path base = options.working_dir.empty()
                                     ? std::filesystem::current_path(ec)
                                     : std::filesystem::path(options.working_dir);
    if (ec) {
      builder.AddIssue(source, "system.data_dir",
                       "relative path but the working directory is unknown: " + ec.message());
      return;
    }
    path = base / path;
  }
  dir = path.lexically_normal().string();
  if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
}

}  // namespace

const Source& LoadedConfig::SourceOf(std::string_view key) const {
  static const Source kDefault;
  const KeySpec* spec = FindKey(key);
  if (spec == nullptr || KeyIndex(*spec) >= sources.size()) return kDefault;
  return sources[KeyIndex(*spec)];
}

Result<LoadedConfig> LoadConfig(const LoadOptions& options, std::vector<ConfigIssue>* issues) {
  ConfigBuilder builder;
  SetDynamicDefaults(builder, options);
  for (const std::string& path : options.config_paths) {
    std::string content;
    if (ReadConfigFile(builder, path, content)) {
      ApplyConfigText(builder, path, content, options.env);
    }
  }
  for (const ConfigText& text : options.config_texts) {
    ApplyConfigText(builder, text.name, text.content, options.env);
  }
  ApplyEnvironment(builder, options.env);
  ApplyFlags(builder, options.flags);
  // After the merge (security.key_file may come from any layer), before the checks below.
  DecryptSecretValues(builder, options.env, options.working_dir);

  // The machine's defaults are checked like user values (an odd host name must be reported),
  // unless a layer replaced them.
  for (std::string_view key : {"system.node_id", "system.data_dir"}) {
    const KeySpec& spec = *FindKey(key);
    const Source& source = builder.SourceOf(key);
    if (source.kind != SourceKind::kDefault) continue;
    std::string problem = CheckValue(spec, spec.get(builder.config()));
    if (!problem.empty()) {
      builder.AddIssue(source, std::string(key),
                       problem + " (set it in the file, NOVACRON_" +
                           (key == "system.node_id" ? "NODE_ID" : "DATA_DIR") + " or a flag)");
    }
  }

  LoadedConfig loaded;
  loaded.data_dir_as_written = builder.config().system.data_dir;
  ResolveDataDir(builder, options);
  CheckCrossField(builder.config(), builder.sources(), builder.issues());

  if (issues != nullptr) *issues = builder.issues();
  Status status = IssuesToStatus(builder.issues());
  if (!status.ok()) return status;
  loaded.config = std::move(builder.config());
  loaded.sources = std::move(builder.sources());
  for (ConfigIssue& issue : builder.issues()) {
    if (issue.severity == Severity::kWarning) loaded.warnings.push_back(std::move(issue));
  }
  return loaded;
}

}  // namespace novacron::config
