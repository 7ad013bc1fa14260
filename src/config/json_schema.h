// A JSON Schema (draft 2020-12) of the configuration file format, generated from the schema.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace novacron::config {

// Objects per section with additionalProperties false; each key has its type, default, enum or
// range, and description. Durations and sizes are strings with a pattern (sizes may also be
// integers); secrets are marked writeOnly; reloadable keys carry "x-reloadable": true.
nlohmann::json JsonSchema();

}  // namespace novacron::config
