// Names of the lifecycle enums, for configuration, logs and reports.
#include <string>

#include "lifecycle/checkpoint.h"
#include "lifecycle/strategy.h"

namespace novacron::lifecycle {

std::string_view CheckpointName(Checkpoint c) {
  switch (c) {
    case Checkpoint::kInitStart:
      return "init_start";
    case Checkpoint::kPreInitComplete:
      return "pre_init_complete";
    case Checkpoint::kCoreInitComplete:
      return "core_init_complete";
    case Checkpoint::kServiceInitComplete:
      return "service_init_complete";
    case Checkpoint::kInitComplete:
      return "init_complete";
  }
  return "unknown";
}

Result<Checkpoint> ParseCheckpoint(std::string_view name) {
  for (Checkpoint c : kAllCheckpoints) {
    if (CheckpointName(c) == name) return c;
  }
  return InvalidArgument("unknown checkpoint '" + std::string(name) + "'");
}

std::optional<Checkpoint> CheckpointAfter(Phase phase) {
  switch (phase) {
    case Phase::kPreInit:
      return Checkpoint::kPreInitComplete;
    case Phase::kCore:
      return Checkpoint::kCoreInitComplete;
    case Phase::kServices:
      return Checkpoint::kServiceInitComplete;
    case Phase::kPostInit:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kEager:
      return "eager";
    case Strategy::kLevels:
      return "levels";
    case Strategy::kSequential:
      return "sequential";
  }
  return "unknown";
}

Result<Strategy> ParseStrategy(std::string_view name) {
  for (Strategy s : {Strategy::kEager, Strategy::kLevels, Strategy::kSequential}) {
    if (StrategyName(s) == name) return s;
  }
  return InvalidArgument("unknown start strategy '" + std::string(name) +
                         "' (want eager, levels or sequential)");
}

}  // namespace novacron::lifecycle
