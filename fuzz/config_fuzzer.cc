// libFuzzer target: arbitrary bytes as a configuration file through the whole loader (parse,
// interpolation, overlays, validation), then `config show` in both formats. Properties beyond
// "no crash, leak or exception": a failed load reports at least one error, and what a successful
// load renders loads back to the same configuration (secrets are masked, so they are skipped).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.h"
#include "config/reload.h"
#include "config/render.h"
#include "config/schema.h"

namespace {

using novacron::Result;
using novacron::config::ConfigIssue;
using novacron::config::Format;
using novacron::config::KeySpec;
using novacron::config::LoadConfig;
using novacron::config::LoadedConfig;
using novacron::config::LoadOptions;

LoadOptions Options(std::string name, std::string content) {
  LoadOptions options;
  options.hostname = "fuzz-node";
  options.working_dir = "/fuzz";
  // A few variables so that ${VAR} paths are reachable.
  options.env = {{"HOME", "/home/fuzz"}, {"FUZZ", "x"}, {"PORT", "8081"}, {"EMPTY", ""}};
  options.config_texts.push_back({std::move(name), std::move(content)});
  return options;
}

void CheckRoundTrip(const LoadedConfig& loaded, Format format) {
  std::string rendered = novacron::config::RenderConfig(loaded, format, false);
  Result<LoadedConfig> again =
      LoadConfig(Options(format == Format::kJson ? "show.json" : "show.yaml", rendered));
  if (!again.ok()) __builtin_trap();
  for (const KeySpec& spec : novacron::config::Schema()) {
    if (!spec.secret && spec.get(again->config) != spec.get(loaded.config)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string content(reinterpret_cast<const char*>(data), size);
  std::vector<ConfigIssue> issues;
  Result<LoadedConfig> loaded = LoadConfig(Options("fuzz.yaml", content), &issues);
  std::string text = novacron::config::FormatIssues(issues);
  if (!loaded.ok()) {
    if (!novacron::config::HasErrors(issues) || loaded.status().message().empty()) {
      __builtin_trap();
    }
    return 0;
  }
  for (bool with_sources : {false, true}) {
    text += novacron::config::RenderConfig(*loaded, Format::kYaml, with_sources);
    text += novacron::config::RenderConfig(*loaded, Format::kJson, with_sources);
  }
  novacron::config::ReloadPlan plan =
      novacron::config::Diff(novacron::config::Config{}, loaded->config);
  CheckRoundTrip(*loaded, Format::kYaml);
  CheckRoundTrip(*loaded, Format::kJson);
  return static_cast<int>(text.size() + plan.reloadable.size()) < 0 ? 1 : 0;
}
