// The lifecycle engine: starts components in dependency order (eagerly, by levels or one at a
// time), applies the error policy of docs/architecture.md (critical: abort and roll back; degraded:
// retry, then continue degraded; optional: continue), starts lazy components on first use, stops
// everything in reverse order within deadlines, and reports through an Observer and snapshots.
//
//   auto engine = Engine::Create({config, logger, database, api}, {.observer = &recorder});
//   if (!engine.ok()) return engine.status();             // unknown dependency, cycle, ...
//   BootReport boot = (*engine)->Start();                 // blocks until the boot settled
//   if (!boot.status.ok()) return boot.status;            // already rolled back
//   ...
//   (*engine)->Stop(std::chrono::seconds(30));            // system.shutdown_timeout
//
// Timeouts: a start attempt that exceeds its timeout fails with DeadlineExceeded (retriable),
// its stop_token is requested and the engine moves on; it never waits for a hung Start or Stop.
// The abandoned call keeps running on its thread. If an abandoned Start later returns OK, that
// thread calls the component's Stop right away (Observer::OnLateStart), so nothing is left
// running; a retry of the component waits for the abandoned attempt to return (at most one more
// start timeout) so that two starts of one component never overlap. An abandoned Stop is
// reported as failed and its dependencies stop without waiting for it.
//
// All functions are thread-safe. Start and Stop run once each; CancelBoot, EnsureStarted and the
// read-only functions may be called from any thread at any time.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lifecycle/component.h"
#include "lifecycle/graph.h"
#include "lifecycle/options.h"
#include "lifecycle/report.h"

namespace novacron::lifecycle {

namespace internal {
class Scheduler;
}

class Engine {
 public:
  // InvalidArgument for a null component, a graph error (duplicate, unknown dependency, cycle),
  // an invalid retry policy or invalid options.
  static Result<std::unique_ptr<Engine>> Create(std::vector<std::shared_ptr<Component>> components,
                                                EngineOptions options = {});
  // Stops whatever still runs (Stop() without an overall deadline) and releases the threads;
  // it does not wait for abandoned calls.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Boots every component that is not lazy and returns when all have settled. On a critical
  // failure (or CancelBoot) the in-flight starts are cancelled, nothing new starts, what started
  // is stopped in reverse dependency order, and status names the component and its cause.
  BootReport Start();
  // Aborts a boot in progress from another thread (e.g. SIGTERM during boot): Start then rolls
  // back and returns Cancelled. No-op otherwise.
  void CancelBoot();
  // Starts a lazy component (and the lazy components it needs) on first use; once, even under
  // concurrent calls; later calls return at once. Non-lazy components: waits until they settled.
  // Returns why it is not running otherwise.
  Status EnsureStarted(std::string_view name);
  // Stops what runs: a component after all of its dependents, independent ones in parallel, each
  // within its stop timeout; past `overall_timeout` the remaining stops are abandoned or skipped
  // and reported. A boot in progress is cancelled first.
  StopReport Stop(std::optional<Duration> overall_timeout = std::nullopt);

  EngineSnapshot Snapshot() const;
  // Every critical component (not counting lazy ones not started yet) runs and is not unhealthy,
  // and the boot completed. /health/ready.
  bool Ready() const;
  // The boot has not failed and the engine was not stopped. /health/live.
  bool Live() const;
  // The boot completed (init_complete). /health/startup.
  bool StartupComplete() const;
  // A degraded component failed or is blocked.
  bool Degraded() const;

  const Graph& graph() const;
  Component* Find(std::string_view name) const;  // null when unknown
  template <class T>
  T* Get() const {  // the component named T::kName, if it is a T
    return dynamic_cast<T*>(Find(T::kName));
  }

 private:
  explicit Engine(std::shared_ptr<internal::Scheduler> scheduler);

  // Shared with the pool threads: an abandoned call keeps what it needs alive.
  std::shared_ptr<internal::Scheduler> scheduler_;
};

}  // namespace novacron::lifecycle
