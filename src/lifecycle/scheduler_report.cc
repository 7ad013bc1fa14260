// What the scheduler tells about itself: snapshots, readiness, the boot report.
#include <algorithm>
#include <exception>
#include <string>

#include "lifecycle/scheduler.h"

namespace novacron::lifecycle::internal {
namespace {

HealthReport AskHealth(const Component& c) {
  try {
    return c.Health();
  } catch (const std::exception& e) {
    return HealthReport::Unhealthy("Health threw: " + std::string(e.what()));
  } catch (...) {
    return HealthReport::Unhealthy("Health threw a non-standard exception");
  }
}

}  // namespace

void Scheduler::Close() {
  events_.Close();
  pool_.Shutdown();
}

Component* Scheduler::Find(std::string_view name) const {
  const std::optional<std::size_t> i = graph_.IndexOf(name);
  return i ? components_[*i].get() : nullptr;
}

EngineSnapshot Scheduler::Snapshot() const {
  EngineSnapshot snap;
  std::vector<std::pair<std::size_t, std::size_t>> running;  // snapshot position, graph index
  {
    std::lock_guard lock(mu_);
    for (std::size_t i : graph_.TopologicalOrder()) {
      const ComponentSpec& spec = graph_.spec(i);
      const Node& n = nodes_[i];
      ComponentSnapshot c;
      c.name = spec.name;
      c.dependencies = spec.dependencies;
      c.criticality = spec.criticality;
      c.phase = spec.phase;
      c.lazy = lazy_[i];
      c.state = n.state;
      c.attempts = n.attempts;
      c.started_at = n.started_at;
      c.finished_at = n.finished_at;
      if (n.started_at && n.finished_at) c.duration = *n.finished_at - *n.started_at;
      c.last_error = n.last_error;
      if (n.state == ComponentState::kRunning) {
        running.emplace_back(snap.components.size(), i);
      } else {
        c.health = HealthReport::Unhealthy(
            n.last_error.ok() ? std::string(ComponentStateName(n.state)) : n.last_error.ToString());
      }
      snap.components.push_back(std::move(c));
    }
    snap.live = stage_ != Stage::kBootFailed && stage_ != Stage::kStopped;
    snap.startup_complete = stage_ == Stage::kBooted;
    snap.degraded = DegradedLocked();
  }
  // Outside the lock: a component's Health may take its time.
  for (const auto& [position, i] : running) {
    snap.components[position].health = AskHealth(*components_[i]);
  }
  snap.ready = snap.startup_complete;
  for (const ComponentSnapshot& c : snap.components) {
    // A running component that serves in a lesser way (a cache on its fallback) degrades the
    // node as much as a degraded component that did not start.
    if (c.state == ComponentState::kRunning && c.health.state == HealthReport::kDegraded) {
      snap.degraded = true;
    }
    if (c.criticality != Criticality::kCritical || c.state == ComponentState::kLazy) continue;
    if (c.state != ComponentState::kRunning || c.health.state == HealthReport::kUnhealthy) {
      snap.ready = false;
    }
  }
  return snap;
}

bool Scheduler::Ready() const {
  std::vector<const Component*> critical;
  {
    std::lock_guard lock(mu_);
    if (stage_ != Stage::kBooted) return false;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (graph_.spec(i).criticality != Criticality::kCritical) continue;
      if (nodes_[i].state == ComponentState::kLazy) continue;
      if (nodes_[i].state != ComponentState::kRunning) return false;
      critical.push_back(components_[i].get());
    }
  }
  return std::all_of(critical.begin(), critical.end(), [](const Component* c) {
    return AskHealth(*c).state != HealthReport::kUnhealthy;
  });
}

bool Scheduler::Live() const {
  std::lock_guard lock(mu_);
  return stage_ != Stage::kBootFailed && stage_ != Stage::kStopped;
}

bool Scheduler::StartupComplete() const {
  std::lock_guard lock(mu_);
  return stage_ == Stage::kBooted;
}

bool Scheduler::Degraded() const {
  std::lock_guard lock(mu_);
  return DegradedLocked();
}

bool Scheduler::DegradedLocked() const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const ComponentState s = nodes_[i].state;
    if (graph_.spec(i).criticality == Criticality::kDegraded &&
        (s == ComponentState::kFailed || s == ComponentState::kBlocked)) {
      return true;
    }
  }
  return false;
}

Status Scheduler::BootError(std::size_t i) const {
  const Node& n = nodes_[i];
  const std::string& name = graph_.spec(i).name;
  if (n.state == ComponentState::kBlocked) {
    return n.last_error.Wrap("component '" + name + "' (critical) not started");
  }
  return n.last_error.Wrap("component '" + name + "' (critical) failed to start");
}

BootReport Scheduler::BuildBootReport(const Status& status, Clock::time_point boot_end) const {
  BootReport r;
  r.status = status;
  r.degraded = DegradedLocked();
  r.strategy = options_.strategy;
  r.boot_start = boot_start_;
  r.total = boot_end - boot_start_;
  r.checkpoints = checkpoints_;
  struct Span {
    std::optional<Duration> first_start;
    Duration last_end{};
  };
  Span spans[4];
  for (std::size_t i : graph_.TopologicalOrder()) {
    const ComponentSpec& spec = graph_.spec(i);
    const Node& n = nodes_[i];
    ComponentOutcome o;
    o.name = spec.name;
    o.criticality = spec.criticality;
    o.phase = spec.phase;
    o.state = n.state;
    o.attempts = n.attempts;
    if (n.started_at) o.started = *n.started_at - boot_start_;
    if (n.finished_at) o.finished = *n.finished_at - boot_start_;
    if (o.started && o.finished) {
      o.duration = *o.finished - *o.started;
      Span& span = spans[static_cast<int>(spec.phase)];
      span.first_start = span.first_start ? std::min(*span.first_start, *o.started) : *o.started;
      span.last_end = std::max(span.last_end, *o.finished);
    }
    o.error = n.last_error;
    r.components.push_back(std::move(o));
  }
  for (Phase p : kAllPhases) {
    const Span& span = spans[static_cast<int>(p)];
    if (!span.first_start) continue;
    r.phases.push_back({p, *span.first_start, span.last_end, span.last_end - *span.first_start});
  }
  return r;
}

}  // namespace novacron::lifecycle::internal
