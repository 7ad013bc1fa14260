// What the store keeps about each daemon boot: who booted, the per-component timeline, the
// checkpoints reached and how the boot and the run after it ended.
//
// Boot states (BootRecord::state):
//   in_progress  BeginBoot was called; FinishBoot not yet.
//   ready        FinishBoot(kReady): every critical component is up.
//   degraded     FinishBoot(kDegraded): up, with degraded or failed non-critical components.
//   failed       FinishBoot(kFailed): a critical component failed; the daemon exits.
//   interrupted  the process died during the boot (kill -9, crash, power loss): found still
//                in_progress by a later boot of the same node (MarkInterrupted).
//   crashed      the daemon booted (ready/degraded) but died without RecordShutdown: found by a
//                later boot (MarkInterrupted). The error says which state it had reached.
// A clean or unclean stop recorded by the daemon itself does not change the state; it fills
// BootRecord::shutdown.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace novacron::store {

enum class BootState { kInProgress, kReady, kDegraded, kFailed, kInterrupted, kCrashed };

// "in_progress", "ready", ... as stored and shown.
std::string_view BootStateName(BootState state);
Result<BootState> ParseBootState(std::string_view name);

struct BootInfo {
  std::string node_id{};
  int64_t pid = 0;
  std::string version{};   // novacron version
  std::string strategy{};  // start strategy: "eager", "level", "sequential"
  std::chrono::system_clock::time_point started_at{};
};

// One component in a boot's timeline. The store does not interpret phase, criticality or state;
// they are the lifecycle engine's words ("core", "critical", "started", "failed", "blocked",
// "lazy", "degraded", ...).
struct ComponentRecord {
  std::string name{};
  std::string phase{};
  std::string criticality{};
  std::vector<std::string> dependencies{};
  std::string state{};
  int attempts = 0;
  // Offsets from the boot's start; absent until known.
  std::optional<std::chrono::microseconds> start_offset{};
  std::optional<std::chrono::microseconds> end_offset{};
  std::string error{};

  bool operator==(const ComponentRecord&) const = default;
};

struct CheckpointRecord {
  std::string name{};  // "init_start", "pre_init_complete", ...
  std::chrono::microseconds offset{0};

  bool operator==(const CheckpointRecord&) const = default;
};

struct ShutdownRecord {
  std::chrono::system_clock::time_point at{};
  bool clean = false;
};

struct BootRecord {
  int64_t id = 0;
  BootInfo info{};
  BootState state = BootState::kInProgress;
  std::optional<std::chrono::microseconds> total_duration{};  // set by FinishBoot
  std::string error{};
  std::optional<ShutdownRecord> shutdown{};
  std::vector<ComponentRecord> components{};  // by start offset (unstarted last), then first record
  std::vector<CheckpointRecord> checkpoints{};  // by offset, then record order
};

// Input checks shared by every BootStore backend; messages name the field and the value.
Status ValidateBootInfo(const BootInfo& info);
Status ValidateComponentRecord(const ComponentRecord& component);

}  // namespace novacron::store
