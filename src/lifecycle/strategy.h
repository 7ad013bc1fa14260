// How the engine orders independent starts.
#pragma once

#include <string_view>

#include "common/status.h"

namespace novacron::lifecycle {

enum class Strategy {
  kEager,       // a component starts the moment its last dependency is up (default)
  kLevels,      // a barrier per dependency level, the design notes' way
  kSequential,  // one at a time, in topological order
};

std::string_view StrategyName(Strategy s);  // "eager", "levels", "sequential"
Result<Strategy> ParseStrategy(std::string_view name);

}  // namespace novacron::lifecycle
