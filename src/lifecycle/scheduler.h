// The engine's state machine (internal; use engine.h). One mutex guards all state; start and stop
// attempts run on pool threads and report back under it. A worker that finishes an attempt
// dispatches whatever became ready and runs the first of those itself, so a chain of components
// runs on one thread without hand-offs. Timeouts and retry delays are timers fired by whichever
// caller waits (Start, Stop, EnsureStarted): nothing else needs a thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stop_token>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "lifecycle/component.h"
#include "lifecycle/event_queue.h"
#include "lifecycle/graph.h"
#include "lifecycle/options.h"
#include "lifecycle/report.h"
#include "lifecycle/worker_pool.h"

namespace novacron::lifecycle::internal {

// One call of Start or Stop on a component.
struct Attempt {
  std::size_t node = 0;
  int number = 0;  // 1-based start attempt; 0 for a stop
  bool stop = false;
  std::stop_source cancel;
  Clock::time_point began{};
  Clock::time_point deadline{};
  bool abandoned = false;  // timed out; guarded by Scheduler::mu_
};

class Scheduler : public std::enable_shared_from_this<Scheduler> {
 public:
  Scheduler(Graph graph, std::vector<std::shared_ptr<Component>> components, EngineOptions options);

  BootReport Boot();
  void CancelBoot();
  Status EnsureStarted(std::string_view name);
  StopReport Stop(std::optional<Duration> overall_timeout);
  // After the last Stop: no more events, pool threads joined (or detached if abandoned).
  void Close();

  EngineSnapshot Snapshot() const;
  bool Ready() const;
  bool Live() const;
  bool StartupComplete() const;
  bool Degraded() const;

  const Graph& graph() const { return graph_; }
  Component* Find(std::string_view name) const;

 private:
  enum class Stage { kIdle, kBooting, kBooted, kBootFailed, kStopping, kStopped };

  struct Node {
    ComponentState state = ComponentState::kPending;
    int attempts = 0;
    bool boot_member = false;  // started by Boot (not by EnsureStarted): counts for the boot
    int waiting = 0;  // start: dependencies not running yet; stop: dependents not stopped yet
    std::shared_ptr<Attempt> attempt;  // the one in flight, if any
    bool retry_due = false;            // a timer dispatches the next attempt
    bool zombie = false;               // an abandoned start attempt has not returned yet
    bool awaiting_zombie = false;      // the next attempt waits for that return
    std::optional<Clock::time_point> timer;
    std::optional<Clock::time_point> started_at;
    std::optional<Clock::time_point> finished_at;
    Status last_error;
    bool in_stop_set = false;
  };

  // What to do once the lock is released: cancel stop tokens (they run user callbacks) and run
  // the dispatched attempts.
  struct Actions {
    std::vector<std::stop_source> cancel;
    std::vector<std::shared_ptr<Attempt>> launch;
  };

  using Lock = std::unique_lock<std::mutex>;

  // Attempts, on pool threads.
  void Run(std::shared_ptr<Attempt> attempt);
  Status CallStart(const Attempt& a);
  Status CallStop(Component& c, std::stop_token stop, Clock::time_point deadline);
  // Requests the cancellations, submits the launches; returns one launch to run inline when
  // `keep_one`.
  std::shared_ptr<Attempt> Execute(Actions& actions, bool keep_one);

  // Start scheduling; all under mu_.
  void Release(std::size_t i);
  void Pump(Actions& actions);
  void DispatchStart(std::size_t i, Actions& actions);
  void OnStartReturned(const Attempt& a, Status result, Actions& actions);
  void OnLateReturn(const Attempt& a, const Status& result, const Status& cleanup,
                    Actions& actions);
  void AttemptFailed(std::size_t i, int attempt, Status error, Actions& actions);
  void Fail(std::size_t i, Status error, Actions& actions);
  void Settled(std::size_t i, Actions& actions);
  void CountSettled(std::size_t i);
  void AdvanceCheckpoints();
  void AdvanceLevelGate();
  void Abort(Status reason, Actions& actions);
  // Stops starting: cancels in-flight starts, blocks pending components, ends retry waits.
  void CancelStarts(const Status& reason, Actions& actions);
  void Want(std::size_t target, Actions& actions);
  void TimeOut(std::size_t i, Actions& actions);
  // Gives up on the attempt in flight (it may still return: see OnLateReturn).
  void Abandon(std::size_t i, Status reason, Actions& actions);
  void FireTimers(Clock::time_point now, Actions& actions);
  void ArmTimer(std::size_t i, Clock::time_point at);
  void DisarmTimer(std::size_t i);
  void Emit(internal::Event e);
  void NotifyWaiters();
  bool IsSettled(std::size_t i) const;

  // Waits for `done`, firing timers, until `deadline`; false when the deadline passed first.
  bool WaitFor(Lock& lock, const std::function<bool()>& done,
               std::optional<Clock::time_point> deadline);

  // Stop side (scheduler_stop.cc), under mu_.
  void StopRunning(Lock& lock, std::optional<Clock::time_point> deadline, StopReport& report);
  void DispatchStop(std::size_t i, Actions& actions);
  void StopFinished(std::size_t i, Status result, Duration took);
  void OnStopReturned(const Attempt& a, Status result, Actions& actions);

  // Reports (scheduler_report.cc).
  BootReport BuildBootReport(const Status& status, Clock::time_point boot_end) const;
  bool DegradedLocked() const;
  Status BootError(std::size_t i) const;

  long ReadyKey(std::size_t i) const;  // start: topological position; stop: its reverse
  int Capacity() const;

  const Graph graph_;
  const std::vector<std::shared_ptr<Component>> components_;  // by graph index
  const EngineOptions options_;
  std::vector<RetryPolicy> retry_;
  std::vector<Duration> start_timeout_;
  std::vector<Duration> stop_timeout_;
  std::vector<bool> lazy_;  // lazy and needed by no eager component

  internal::EventQueue events_;
  internal::WorkerPool pool_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Stage stage_ = Stage::kIdle;
  bool operation_running_ = false;  // a Boot or Stop: they run one at a time
  std::vector<Node> nodes_;
  std::set<std::pair<long, std::size_t>> ready_;
  int in_flight_ = 0;
  std::set<std::pair<Clock::time_point, std::size_t>> timers_;
  Clock::time_point armed_until_ = Clock::time_point::max();
  int ensure_waiters_ = 0;
  std::mt19937_64 rng_;

  // The boot.
  bool aborting_ = false;
  Status abort_reason_;
  Clock::time_point boot_start_{};
  int boot_unsettled_ = 0;
  int phase_unsettled_[4] = {0, 0, 0, 0};
  int next_checkpoint_phase_ = 0;
  std::vector<CheckpointTime> checkpoints_;
  int gate_level_ = 0;  // kLevels: components above this level wait
  std::vector<int> level_unsettled_;
  std::vector<std::vector<std::size_t>> held_;  // kLevels: ready, waiting for the gate

  // The stop.
  int stop_unsettled_ = 0;
  bool stop_deadline_passed_ = false;
  std::vector<StopOutcome> stop_outcomes_;
};

}  // namespace novacron::lifecycle::internal
