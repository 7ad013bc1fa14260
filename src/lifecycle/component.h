// The contract between the lifecycle engine and everything it starts: a component declares its
// name, dependencies, criticality and phase, and implements Start, Stop and Health.
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "lifecycle/clock.h"
#include "lifecycle/health.h"
#include "lifecycle/retry.h"

namespace novacron::lifecycle {

// What a failure of the component does to the boot (docs/architecture.md, Boot).
enum class Criticality {
  kCritical,  // halt the boot, roll back what started
  kDegraded,  // retry, then continue with the system reported degraded
  kOptional,  // report and continue
};
std::string_view CriticalityName(Criticality c);  // "critical", "degraded", "optional"
Result<Criticality> ParseCriticality(std::string_view name);

// A label for reporting and checkpoints; never a barrier.
enum class Phase { kPreInit, kCore, kServices, kPostInit };
std::string_view PhaseName(Phase p);  // "pre-init", "core", "services", "post-init"
Result<Phase> ParsePhase(std::string_view name);
inline constexpr Phase kAllPhases[] = {Phase::kPreInit, Phase::kCore, Phase::kServices,
                                       Phase::kPostInit};

struct ComponentSpec {
  std::string name;
  std::vector<std::string> dependencies;
  Criticality criticality = Criticality::kCritical;
  Phase phase = Phase::kServices;
  // Unset: RetryPolicy::Spec() for degraded components, a single attempt otherwise.
  std::optional<RetryPolicy> retry;
  // Zero: the engine's default (Engine::Options, 30 s to start, 10 s to stop).
  std::chrono::milliseconds start_timeout{0};
  std::chrono::milliseconds stop_timeout{0};
  // Not started at boot but by the first Engine::EnsureStarted (the ML engine,
  // docs/architecture.md).
  bool lazy = false;

  RetryPolicy EffectiveRetry() const;
};

class Component;

// Handed to Component::Start for one attempt.
class StartContext {
 public:
  struct Dependency {
    std::string_view name;
    Component* component;
  };
  StartContext(std::string_view component, std::stop_token stop, Clock::time_point deadline,
               int attempt, std::vector<Dependency> dependencies);

  // Requested when this attempt timed out or the boot is being cancelled: return promptly.
  std::stop_token stop_token() const { return stop_; }
  Clock::time_point deadline() const { return deadline_; }
  int attempt() const { return attempt_; }  // 1-based

  // A started dependency, typed: T names itself with `static constexpr std::string_view kName`.
  // Asking for an undeclared dependency or the wrong type is a programming error and throws
  // std::logic_error (the engine turns it into a failed start naming both components).
  template <class T>
  T& Dep() const {
    Component& c = DepByName(T::kName);
    if (auto* typed = dynamic_cast<T*>(&c)) return *typed;
    ThrowWrongType(T::kName);
  }
  Component& DepByName(std::string_view name) const;
  // Like Dep(), but nullptr when T is not among the declared dependencies (a dependency that is
  // registered only in some configurations).
  template <class T>
  T* OptionalDep() const {
    for (const Dependency& d : dependencies_) {
      if (d.name == T::kName) return dynamic_cast<T*>(d.component);
    }
    return nullptr;
  }

 private:
  [[noreturn]] void ThrowWrongType(std::string_view dependency) const;

  std::string_view component_;
  std::stop_token stop_;
  Clock::time_point deadline_;
  int attempt_;
  std::vector<Dependency> dependencies_;
};

// Handed to Component::Stop.
class StopContext {
 public:
  StopContext(std::stop_token stop, Clock::time_point deadline)
      : stop_(std::move(stop)), deadline_(deadline) {}
  // Requested when the stop timed out and was abandoned.
  std::stop_token stop_token() const { return stop_; }
  Clock::time_point deadline() const { return deadline_; }

 private:
  std::stop_token stop_;
  Clock::time_point deadline_;
};

// Start and Stop run on engine worker threads, never two at once for one component (a retry waits
// for a timed-out attempt to return). Health may be called from any thread at any time while the
// component runs, so it must be thread-safe.
class Component {
 public:
  explicit Component(ComponentSpec spec) : spec_(std::move(spec)) {}
  virtual ~Component();
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

  const ComponentSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }

  // Retriable errors (Status::retriable()) are retried by the component's policy.
  virtual Status Start(StartContext& ctx) = 0;
  virtual Status Stop(StopContext& ctx) = 0;
  // Asked only while the component runs; the default is healthy.
  virtual HealthReport Health() const;

 private:
  ComponentSpec spec_;
};

}  // namespace novacron::lifecycle
