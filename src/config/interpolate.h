// ${VAR} and ${VAR:-default} in configuration file values.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace novacron::config {

// Environment variables by name; passed explicitly so tests need not touch the real environment.
using Environment = std::map<std::string, std::string, std::less<>>;

// The process environment (environ).
Environment EnvironmentFromProcess();

// Replaces ${NAME} by the variable's value and ${NAME:-fallback} by the value, or by `fallback`
// when the variable is unset or empty. "$${" is a literal "${"; any other '$' is kept as is.
// Names are [A-Za-z_][A-Za-z0-9_]*. Errors: an unset variable without fallback, "${" without
// '}', a bad name. `used` (if given) receives the names of the variables that were read.
Result<std::string> Interpolate(std::string_view text, const Environment& env,
                                std::vector<std::string>* used = nullptr);

}  // namespace novacron::config
