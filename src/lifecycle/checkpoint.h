// Boot checkpoints (docs/architecture.md, Boot), reached as the phases settle; persisted by the
// daemon so the next boot knows how far the last one got.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "lifecycle/component.h"

namespace novacron::lifecycle {

enum class Checkpoint {
  kInitStart,            // the boot began
  kPreInitComplete,      // every pre-init component settled
  kCoreInitComplete,     // ... and every core component
  kServiceInitComplete,  // ... and every services component
  kInitComplete,         // the boot succeeded (post-init included)
};
inline constexpr Checkpoint kAllCheckpoints[] = {
    Checkpoint::kInitStart, Checkpoint::kPreInitComplete, Checkpoint::kCoreInitComplete,
    Checkpoint::kServiceInitComplete, Checkpoint::kInitComplete};

// "init_start", "pre_init_complete", "core_init_complete", "service_init_complete",
// "init_complete".
std::string_view CheckpointName(Checkpoint c);
Result<Checkpoint> ParseCheckpoint(std::string_view name);

// The checkpoint reached when `phase` (and every earlier phase) has settled; none for post-init,
// whose end is init_complete.
std::optional<Checkpoint> CheckpointAfter(Phase phase);

}  // namespace novacron::lifecycle
