// What the engine tells about itself: live snapshots for the health endpoints, and the reports
// of a boot and of a stop.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lifecycle/checkpoint.h"
#include "lifecycle/clock.h"
#include "lifecycle/component.h"
#include "lifecycle/health.h"
#include "lifecycle/strategy.h"

namespace novacron::lifecycle {

enum class ComponentState {
  kPending,   // wanted, waiting for its dependencies or a free slot
  kStarting,  // an attempt runs, or the next attempt waits out its retry delay
  kRunning,
  kFailed,   // did not start (or did not stop cleanly): see last_error
  kBlocked,  // not started because a dependency did not start
  kLazy,     // started on first use only (EnsureStarted); 503 until then
  kStopping,
  kStopped,
};
// "pending", "starting", "running", "failed", "blocked", "lazy", "stopping", "stopped".
std::string_view ComponentStateName(ComponentState s);

struct ComponentSnapshot {
  std::string name;
  std::vector<std::string> dependencies;
  Criticality criticality = Criticality::kCritical;
  Phase phase = Phase::kServices;
  bool lazy = false;
  ComponentState state = ComponentState::kPending;
  int attempts = 0;
  std::optional<Clock::time_point> started_at;   // the first attempt began
  std::optional<Clock::time_point> finished_at;  // the start settled (running, failed, blocked)
  Duration duration{};                           // between the two, retries included
  Status last_error;
  HealthReport health;  // Component::Health() while running; unhealthy with the reason otherwise
};

struct EngineSnapshot {
  std::vector<ComponentSnapshot> components;  // in topological order
  bool live = false;
  bool ready = false;
  bool startup_complete = false;
  bool degraded = false;
};

// One component in a BootReport; times are offsets from the boot start.
struct ComponentOutcome {
  std::string name;
  Criticality criticality = Criticality::kCritical;
  Phase phase = Phase::kServices;
  ComponentState state = ComponentState::kPending;
  int attempts = 0;
  std::optional<Duration> started;
  std::optional<Duration> finished;
  Duration duration{};
  Status error;
};

struct PhaseTiming {
  Phase phase = Phase::kPreInit;
  Duration started{};   // first start of a component of the phase
  Duration finished{};  // last end of one
  Duration duration{};
};

struct CheckpointTime {
  Checkpoint checkpoint = Checkpoint::kInitStart;
  Duration at{};
};

struct BootReport {
  // OK, or the error that failed the boot, naming the component and its cause.
  Status status;
  bool degraded = false;
  Strategy strategy = Strategy::kEager;
  Clock::time_point boot_start{};
  Duration total{};
  std::vector<ComponentOutcome> components;  // topological order
  std::vector<PhaseTiming> phases;           // phases with at least one started component
  std::vector<CheckpointTime> checkpoints;   // the ones reached, in order
  const ComponentOutcome* Find(std::string_view name) const;
};

struct StopOutcome {
  std::string name;
  ComponentState state = ComponentState::kStopped;  // kStopped, or kFailed when abandoned/skipped
  Duration duration{};
  Status error;  // from Stop, or DeadlineExceeded when abandoned or skipped
};

struct StopReport {
  Status status;  // OK when every stop returned OK in time
  Duration total{};
  std::vector<StopOutcome> components;  // in the order the stops began
  const StopOutcome* Find(std::string_view name) const;
};

}  // namespace novacron::lifecycle
