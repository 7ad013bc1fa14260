// `novacron config show`: the effective configuration as YAML or JSON, secrets (and any value
// that was encrypted, enc:v1:) masked.
#pragma once

#include <string>

#include "config/loader.h"

namespace novacron::config {

enum class Format { kYaml, kJson };

// Every key, nested by section, in schema order. Secrets and decrypted enc:v1: values are
// "********", or "(unset)" when empty. system.data_dir is shown as written. with_sources: YAML
// gets a trailing comment per key ("# env NOVACRON_X"); JSON leaves become
// {"value": ..., "source": "..."}.
std::string RenderConfig(const LoadedConfig& loaded, Format format, bool with_sources);

}  // namespace novacron::config
