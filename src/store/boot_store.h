// Crash-safe boot records (see boot_record.h for the states). Every call is one transaction: a
// process killed at any point leaves each call either fully applied or not at all.
//
// Use from the daemon: at start, `id = BeginBoot(...)` then `MarkInterrupted(id)`; while booting,
// RecordComponent when a component starts and again when it ends, RecordCheckpoint at each
// phase checkpoint; FinishBoot once the outcome is known; RecordShutdown when the daemon stops.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/boot_record.h"

namespace novacron::store {

class BootStore {
 public:
  virtual ~BootStore() = default;

  // Records a new boot in state in_progress and returns its id (ids increase). Prunes the oldest
  // boots beyond the retention limit in the same transaction.
  virtual Result<int64_t> BeginBoot(const BootInfo& info) = 0;

  // Inserts or updates the component `component.name` of boot `boot_id`. An update replaces every
  // field except offsets that are absent in `component`, which keep their earlier values.
  // kNotFound for an unknown boot.
  virtual Status RecordComponent(int64_t boot_id, const ComponentRecord& component) = 0;

  // Records that `name` was reached at `offset`; recording the same name again moves it.
  virtual Status RecordCheckpoint(int64_t boot_id, std::string_view name,
                                  std::chrono::microseconds offset) = 0;

  // Ends the boot with `outcome` (kReady, kDegraded or kFailed). kConflict unless in_progress.
  virtual Status FinishBoot(int64_t boot_id, BootState outcome,
                            std::chrono::microseconds total_duration, std::string_view error) = 0;

  // Records the daemon's stop. kConflict when the boot is already interrupted or crashed.
  virtual Status RecordShutdown(int64_t boot_id, std::chrono::system_clock::time_point at,
                                bool clean) = 0;

  // Marks the earlier boots of the same node as `current_boot_id` whose process is gone:
  // in_progress -> interrupted; ready/degraded without a shutdown -> crashed. Call once at start,
  // right after BeginBoot; assumes one daemon per node (the data dir is the node's).
  // Returns how many boots were marked.
  virtual Result<int> MarkInterrupted(int64_t current_boot_id) = 0;

  // The newest `limit` (> 0) boots, newest first, with components and checkpoints.
  virtual Result<std::vector<BootRecord>> ListBoots(int limit) = 0;
  // kNotFound for an unknown (or pruned) id.
  virtual Result<BootRecord> GetBoot(int64_t boot_id) = 0;
};

}  // namespace novacron::store
