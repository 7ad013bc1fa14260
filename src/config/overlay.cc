// The environment and flag layers.
#include <string>
#include <utility>
#include <vector>

#include "config/builder.h"
#include "config/loader.h"
#include "config/suggest.h"
#include "config/units.h"

namespace novacron::config {
namespace {

constexpr std::string_view kPrefix = "NOVACRON_";
constexpr std::string_view kListenVariable = "NOVACRON_LISTEN_ADDRESS";

struct ShortForm {
  std::string_view variable;
  std::string_view key;
};
constexpr ShortForm kShortForms[] = {
    {"NOVACRON_NODE_ID", "system.node_id"},
    {"NOVACRON_DATA_DIR", "system.data_dir"},
    {"NOVACRON_LOG_LEVEL", "system.log_level"},
    {"NOVACRON_DWCP_MODE", "dwcp.forced_mode"},
};

Source EnvSource(std::string_view variable) { return Source::Env(std::string(variable)); }
Source FlagSource(std::string_view flag) { return Source::Flag(std::string(flag)); }

const std::vector<std::string>& KnownVariables() {
  static const std::vector<std::string> known = [] {
    std::vector<std::string> names;
    for (const KeySpec& spec : Schema()) names.push_back(EnvName(spec.key));
    for (const ShortForm& s : kShortForms) names.emplace_back(s.variable);
    names.emplace_back(kListenVariable);
    return names;
  }();
  return known;
}

}  // namespace

const std::vector<std::string_view>& ForeignEnvVariables() {
  static const std::vector<std::string_view> names = {
      "NOVACRON_SERVER",      // the CLI's daemon address
      "NOVACRON_FAILPOINTS",  // fault injection (components/failpoints.h)
      "NOVACRON_SECRET_KEY",  // the key of enc:v1: values (config/secret_values.cc)
  };
  return names;
}

void ApplyListen(ConfigBuilder& builder, std::string_view text, const Source& source) {
  Result<HostPort> hp = ParseHostPort(text);
  if (!hp.ok()) {
    builder.AddIssue(source, "api.host", hp.status().message());
    return;
  }
  if (!hp->host.empty()) builder.SetText(*FindKey("api.host"), hp->host, source);
  if (hp->port.has_value()) builder.SetValue(*FindKey("api.port"), int64_t{*hp->port}, source);
}

void ApplyEnvironment(ConfigBuilder& builder, const Environment& env) {
  // Short forms first, so that the long form of the same key wins.
  for (const ShortForm& s : kShortForms) {
    auto it = env.find(s.variable);
    if (it == env.end()) continue;
    const KeySpec& spec = *FindKey(s.key);
    std::string long_form = EnvName(spec.key);
    if (env.count(long_form) != 0) {
      builder.AddIssue(EnvSource(s.variable), std::string(spec.key),
                       "ignored: " + long_form + " is also set and wins", Severity::kWarning);
      continue;
    }
    builder.SetText(spec, it->second, EnvSource(s.variable));
  }
  if (auto it = env.find(kListenVariable); it != env.end()) {
    ApplyListen(builder, it->second, EnvSource(kListenVariable));
  }
  for (const KeySpec& spec : Schema()) {
    std::string name = EnvName(spec.key);
    if (auto it = env.find(name); it != env.end()) {
      builder.SetText(spec, it->second, EnvSource(name));
    }
  }
  // Anything else with our prefix is most likely a typo.
  const std::vector<std::string>& known = KnownVariables();
  for (const auto& [name, value] : env) {
    if (name.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    bool foreign = false;
    for (std::string_view f : ForeignEnvVariables()) foreign = foreign || name == f;
    if (foreign) continue;
    bool is_known = false;
    for (const std::string& k : known) is_known = is_known || name == k;
    if (is_known) continue;
    builder.AddIssue(EnvSource(name), "",
                     "unknown configuration variable, ignored" + DidYouMean(name, known),
                     Severity::kWarning);
  }
}

void ApplyFlags(ConfigBuilder& builder, const FlagOverrides& flags) {
  for (const std::string& assignment : flags.set) {
    Source source = FlagSource("--set");
    size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      builder.AddIssue(source, assignment, "expected key.path=value");
      continue;
    }
    std::string key = assignment.substr(0, eq);
    std::string_view value = std::string_view(assignment).substr(eq + 1);
    const KeySpec* spec = FindKey(key);
    if (spec == nullptr) {
      std::string why = IsSection(key) ? "is a section; set one of its keys"
                                       : "unknown key" + DidYouMean(key, AllPaths());
      builder.AddIssue(source, key, why);
      continue;
    }
    builder.SetText(*spec, value, source);
  }
  // The dedicated flags are applied after --set: they are the more specific request.
  if (flags.data_dir.has_value()) {
    builder.SetText(*FindKey("system.data_dir"), *flags.data_dir, FlagSource("--data-dir"));
  }
  if (flags.log_level.has_value()) {
    builder.SetText(*FindKey("system.log_level"), *flags.log_level, FlagSource("--log-level"));
  }
  if (flags.listen.has_value()) ApplyListen(builder, *flags.listen, FlagSource("--listen"));
}

}  // namespace novacron::config
