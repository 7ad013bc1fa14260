// Start side of the scheduler: the boot, lazy starts, attempts, retries and timeouts.
#include "lifecycle/scheduler.h"

#include <algorithm>
#include <exception>
#include <string>

namespace novacron::lifecycle::internal {
namespace {

std::string Millis(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

Scheduler::Scheduler(Graph graph, std::vector<std::shared_ptr<Component>> components,
                     EngineOptions options)
    : graph_(std::move(graph)),
      components_(std::move(components)),
      options_(options),
      events_(options.observer),
      rng_(options.seed != 0 ? options.seed : std::random_device{}()) {
  const std::size_t n = graph_.size();
  nodes_.resize(n);
  lazy_.assign(n, false);
  int max_level = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const ComponentSpec& s = graph_.spec(i);
    retry_.push_back(s.EffectiveRetry());
    start_timeout_.push_back(s.start_timeout.count() > 0 ? s.start_timeout
                                                         : options_.start_timeout);
    stop_timeout_.push_back(s.stop_timeout.count() > 0 ? s.stop_timeout : options_.stop_timeout);
    max_level = std::max(max_level, graph_.Level(i));
  }
  // A lazy component that an eager one needs must start at boot after all.
  const auto& order = graph_.TopologicalOrder();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    bool lazy = graph_.spec(*it).lazy;
    for (std::size_t d : graph_.DependentsOf(*it)) lazy = lazy && lazy_[d];
    lazy_[*it] = lazy;
    nodes_[*it].state = lazy ? ComponentState::kLazy : ComponentState::kPending;
  }
  level_unsettled_.assign(static_cast<std::size_t>(max_level) + 1, 0);
  held_.resize(static_cast<std::size_t>(max_level) + 1);
}

BootReport Scheduler::Boot() {
  Actions actions;
  Lock lock(mu_);
  if (stage_ != Stage::kIdle || operation_running_) {
    BootReport report;
    report.status = FailedPrecondition("engine: Start may be called once, before Stop");
    return report;
  }
  operation_running_ = true;
  stage_ = Stage::kBooting;
  boot_start_ = Clock::now();
  checkpoints_.push_back({Checkpoint::kInitStart, Duration::zero()});
  Emit({.kind = Event::Kind::kCheckpoint, .checkpoint = Checkpoint::kInitStart});
  for (std::size_t i = 0; i < graph_.size(); ++i) {
    if (lazy_[i]) continue;
    Node& n = nodes_[i];
    n.boot_member = true;
    n.waiting = static_cast<int>(graph_.DependenciesOf(i).size());
    ++boot_unsettled_;
    ++phase_unsettled_[static_cast<int>(graph_.spec(i).phase)];
    ++level_unsettled_[static_cast<std::size_t>(graph_.Level(i))];
  }
  for (std::size_t i : graph_.TopologicalOrder()) {
    if (!lazy_[i] && nodes_[i].waiting == 0) Release(i);
  }
  AdvanceLevelGate();
  AdvanceCheckpoints();
  Pump(actions);
  lock.unlock();
  Execute(actions, /*keep_one=*/false);
  lock.lock();

  WaitFor(
      lock, [&] { return boot_unsettled_ == 0; }, std::nullopt);
  const Clock::time_point boot_end = Clock::now();
  Status status;
  if (aborting_) {
    status = abort_reason_;
    StopReport rollback;
    StopRunning(lock, std::nullopt, rollback);
    stage_ = Stage::kBootFailed;
  } else {
    stage_ = Stage::kBooted;
    checkpoints_.push_back({Checkpoint::kInitComplete, boot_end - boot_start_});
    Emit({.kind = Event::Kind::kCheckpoint,
          .duration = boot_end - boot_start_,
          .checkpoint = Checkpoint::kInitComplete});
  }
  BootReport report = BuildBootReport(status, boot_end);
  operation_running_ = false;
  cv_.notify_all();
  lock.unlock();
  events_.Flush();
  return report;
}

void Scheduler::CancelBoot() {
  Actions actions;
  {
    Lock lock(mu_);
    if (stage_ != Stage::kBooting) return;
    Abort(Cancelled("boot cancelled"), actions);
  }
  Execute(actions, false);
}

Status Scheduler::EnsureStarted(std::string_view name) {
  const std::optional<std::size_t> index = graph_.IndexOf(name);
  if (!index) return NotFound("unknown component '" + std::string(name) + "'");
  const std::size_t i = *index;
  const std::string& component = graph_.spec(i).name;
  Actions actions;
  Lock lock(mu_);
  if (nodes_[i].state == ComponentState::kRunning) return Status::Ok();
  if ((stage_ != Stage::kBooting && stage_ != Stage::kBooted) || aborting_) {
    return FailedPrecondition("component '" + component +
                              "' cannot start: the engine is not booting or running");
  }
  if (nodes_[i].state == ComponentState::kLazy) {
    Want(i, actions);
    Pump(actions);
  }
  ++ensure_waiters_;
  lock.unlock();
  Execute(actions, false);
  lock.lock();
  WaitFor(
      lock, [&] { return IsSettled(i); }, std::nullopt);
  --ensure_waiters_;
  const Node& n = nodes_[i];
  Status result;
  if (n.state != ComponentState::kRunning) {
    result = n.last_error.ok() ? FailedPrecondition("component '" + component + "' is " +
                                                    std::string(ComponentStateName(n.state)))
                               : n.last_error.Wrap("component '" + component + "' did not start");
  }
  lock.unlock();
  events_.Flush();
  return result;
}

void Scheduler::Want(std::size_t target, Actions& actions) {
  // The target and the lazy components it needs, transitively, in topological order.
  std::vector<std::size_t> need;
  std::vector<std::size_t> stack = {target};
  while (!stack.empty()) {
    const std::size_t k = stack.back();
    stack.pop_back();
    if (nodes_[k].state != ComponentState::kLazy ||
        std::find(need.begin(), need.end(), k) != need.end()) {
      continue;
    }
    need.push_back(k);
    for (std::size_t d : graph_.DependenciesOf(k)) stack.push_back(d);
  }
  std::sort(need.begin(), need.end(), [&](std::size_t a, std::size_t b) {
    return graph_.TopologicalPosition(a) < graph_.TopologicalPosition(b);
  });
  for (std::size_t k : need) {
    Node& n = nodes_[k];
    n.state = ComponentState::kPending;
    n.waiting = 0;
    std::optional<std::size_t> down;
    for (std::size_t d : graph_.DependenciesOf(k)) {
      const ComponentState s = nodes_[d].state;
      if (s == ComponentState::kPending || s == ComponentState::kStarting) ++n.waiting;
      if (s == ComponentState::kFailed || s == ComponentState::kBlocked) down = d;
    }
    if (down) {
      const Node& dep = nodes_[*down];
      n.state = ComponentState::kBlocked;
      n.finished_at = Clock::now();
      n.last_error =
          FailedPrecondition("blocked: dependency '" + graph_.spec(*down).name +
                             (dep.state == ComponentState::kBlocked ? "' is blocked" : "' failed"))
              .WithCause(dep.last_error);
      Emit({.kind = Event::Kind::kBlocked,
            .component = &graph_.spec(k),
            .status = n.last_error,
            .dependency = graph_.spec(*down).name});
      Settled(k, actions);
    } else if (n.waiting == 0) {
      Release(k);
    }
  }
}

void Scheduler::Release(std::size_t i) {
  const std::size_t level = static_cast<std::size_t>(graph_.Level(i));
  if (options_.strategy == Strategy::kLevels && stage_ == Stage::kBooting &&
      nodes_[i].boot_member && static_cast<int>(level) > gate_level_) {
    held_[level].push_back(i);
    return;
  }
  ready_.emplace(ReadyKey(i), i);
}

long Scheduler::ReadyKey(std::size_t i) const {
  const auto position = static_cast<long>(graph_.TopologicalPosition(i));
  return stage_ == Stage::kStopping ? -position : position;
}

int Scheduler::Capacity() const {
  return options_.strategy == Strategy::kSequential ? 1 : options_.max_concurrency;
}

void Scheduler::Pump(Actions& actions) {
  const int capacity = Capacity();
  while (!ready_.empty() && (capacity == 0 || in_flight_ < capacity)) {
    const std::size_t i = ready_.begin()->second;
    ready_.erase(ready_.begin());
    if (stage_ == Stage::kStopping) {
      DispatchStop(i, actions);
    } else {
      DispatchStart(i, actions);
    }
  }
}

void Scheduler::DispatchStart(std::size_t i, Actions& actions) {
  Node& n = nodes_[i];
  const Clock::time_point now = Clock::now();
  auto a = std::make_shared<Attempt>();
  a->node = i;
  a->number = ++n.attempts;
  a->began = now;
  a->deadline = now + start_timeout_[i];
  n.state = ComponentState::kStarting;
  if (!n.started_at) n.started_at = now;
  n.attempt = a;
  ++in_flight_;
  ArmTimer(i, a->deadline);
  Emit({.kind = Event::Kind::kStarting, .component = &graph_.spec(i), .attempt = a->number});
  actions.launch.push_back(std::move(a));
}

std::shared_ptr<Attempt> Scheduler::Execute(Actions& actions, bool keep_one) {
  for (std::stop_source& s : actions.cancel) s.request_stop();
  std::shared_ptr<Attempt> kept;
  std::vector<std::function<void()>> tasks;
  for (std::shared_ptr<Attempt>& a : actions.launch) {
    if (keep_one && !kept) {
      kept = std::move(a);
      continue;
    }
    tasks.push_back(
        [self = shared_from_this(), a = std::move(a)]() mutable { self->Run(std::move(a)); });
  }
  pool_.Submit(std::move(tasks));
  return kept;
}

void Scheduler::Run(std::shared_ptr<Attempt> a) {
  while (a) {
    Component& component = *components_[a->node];
    Status result =
        a->stop ? CallStop(component, a->cancel.get_token(), a->deadline) : CallStart(*a);
    Actions actions;
    bool late;
    {
      std::lock_guard lock(mu_);
      late = a->abandoned;
      if (!late && a->stop) OnStopReturned(*a, result, actions);
      if (!late && !a->stop) OnStartReturned(*a, result, actions);
    }
    if (late) {
      // Its timeout was handled already; a start that succeeded after all must not be left
      // running behind the engine's back.
      Status cleanup;
      if (!a->stop && result.ok()) {
        cleanup = CallStop(component, {}, Clock::now() + stop_timeout_[a->node]);
      }
      std::lock_guard lock(mu_);
      OnLateReturn(*a, result, cleanup, actions);
    }
    a = Execute(actions, /*keep_one=*/true);
  }
}

Status Scheduler::CallStart(const Attempt& a) {
  const ComponentSpec& spec = graph_.spec(a.node);
  std::vector<StartContext::Dependency> deps;
  for (std::size_t d : graph_.DependenciesOf(a.node)) {
    deps.push_back({graph_.spec(d).name, components_[d].get()});
  }
  StartContext ctx(spec.name, a.cancel.get_token(), a.deadline, a.number, std::move(deps));
  try {
    return components_[a.node]->Start(ctx);
  } catch (const std::exception& e) {
    return Internal("component '" + spec.name + "' Start threw: " + e.what());
  } catch (...) {
    return Internal("component '" + spec.name + "' Start threw a non-standard exception");
  }
}

Status Scheduler::CallStop(Component& c, std::stop_token stop, Clock::time_point deadline) {
  StopContext ctx(std::move(stop), deadline);
  try {
    return c.Stop(ctx);
  } catch (const std::exception& e) {
    return Internal("component '" + c.name() + "' Stop threw: " + e.what());
  } catch (...) {
    return Internal("component '" + c.name() + "' Stop threw a non-standard exception");
  }
}

void Scheduler::OnStartReturned(const Attempt& a, Status result, Actions& actions) {
  const std::size_t i = a.node;
  Node& n = nodes_[i];
  n.attempt.reset();
  DisarmTimer(i);
  --in_flight_;
  if (result.ok()) {
    const Clock::time_point now = Clock::now();
    n.state = ComponentState::kRunning;
    n.finished_at = now;
    n.last_error = Status::Ok();
    Emit({.kind = Event::Kind::kStarted,
          .component = &graph_.spec(i),
          .attempt = a.number,
          .duration = now - a.began});
    Settled(i, actions);
  } else {
    AttemptFailed(i, a.number, std::move(result), actions);
  }
  Pump(actions);
  NotifyWaiters();
}

void Scheduler::OnLateReturn(const Attempt& a, const Status& result, const Status& cleanup,
                             Actions& actions) {
  if (a.stop) return;  // an abandoned stop: it was reported when abandoned
  Node& n = nodes_[a.node];
  n.zombie = false;
  Emit({.kind = Event::Kind::kLateStart,
        .component = &graph_.spec(a.node),
        .attempt = a.number,
        .status = result,
        .cleanup = cleanup});
  if (n.awaiting_zombie) {
    n.awaiting_zombie = false;
    DisarmTimer(a.node);
    ready_.emplace(ReadyKey(a.node), a.node);
    Pump(actions);
  }
  NotifyWaiters();
}

void Scheduler::AttemptFailed(std::size_t i, int attempt, Status error, Actions& actions) {
  Node& n = nodes_[i];
  n.last_error = error;
  const bool retry = error.retriable() && attempt < retry_[i].max_attempts && !aborting_ &&
                     (stage_ == Stage::kBooting || stage_ == Stage::kBooted);
  if (retry) {
    const Duration delay = retry_[i].Delay(attempt, rng_);
    Emit({.kind = Event::Kind::kAttemptFailed,
          .component = &graph_.spec(i),
          .attempt = attempt,
          .status = error,
          .retry_in = delay});
    n.retry_due = true;
    ArmTimer(i, Clock::now() + delay);
    return;
  }
  Emit({.kind = Event::Kind::kAttemptFailed,
        .component = &graph_.spec(i),
        .attempt = attempt,
        .status = error});
  Fail(i, std::move(error), actions);
}

void Scheduler::Fail(std::size_t i, Status error, Actions& actions) {
  Node& n = nodes_[i];
  n.state = ComponentState::kFailed;
  n.finished_at = Clock::now();
  n.last_error = std::move(error);
  Emit({.kind = Event::Kind::kFailed, .component = &graph_.spec(i), .status = n.last_error});
  Settled(i, actions);
}

void Scheduler::Settled(std::size_t i, Actions& actions) {
  std::optional<Status> abort;
  std::vector<std::size_t> work = {i};
  while (!work.empty()) {
    const std::size_t k = work.back();
    work.pop_back();
    CountSettled(k);
    const Node& n = nodes_[k];
    const bool up = n.state == ComponentState::kRunning;
    if (!up && !abort && n.boot_member && stage_ == Stage::kBooting && !aborting_ &&
        graph_.spec(k).criticality == Criticality::kCritical) {
      abort = BootError(k);
    }
    for (std::size_t d : graph_.DependentsOf(k)) {
      Node& m = nodes_[d];
      if (m.state != ComponentState::kPending) continue;  // not wanted, or already decided
      if (up) {
        if (--m.waiting == 0 && !aborting_ && stage_ != Stage::kStopping) Release(d);
        continue;
      }
      m.state = ComponentState::kBlocked;
      m.finished_at = Clock::now();
      m.last_error =
          FailedPrecondition("blocked: dependency '" + graph_.spec(k).name +
                             (n.state == ComponentState::kBlocked ? "' is blocked" : "' failed"))
              .WithCause(n.last_error);
      Emit({.kind = Event::Kind::kBlocked,
            .component = &graph_.spec(d),
            .status = m.last_error,
            .dependency = graph_.spec(k).name});
      work.push_back(d);
    }
  }
  if (abort) Abort(std::move(*abort), actions);
  AdvanceLevelGate();
  AdvanceCheckpoints();
}

void Scheduler::CountSettled(std::size_t i) {
  if (!nodes_[i].boot_member) return;
  --boot_unsettled_;
  --phase_unsettled_[static_cast<int>(graph_.spec(i).phase)];
  --level_unsettled_[static_cast<std::size_t>(graph_.Level(i))];
}

void Scheduler::AdvanceCheckpoints() {
  if (stage_ != Stage::kBooting || aborting_) return;
  // Checkpoints are cumulative (services_init_complete means pre-init and core settled too), so
  // they are reached in order even when a later phase settles first.
  while (next_checkpoint_phase_ < 3 && phase_unsettled_[next_checkpoint_phase_] == 0) {
    const Checkpoint c = *CheckpointAfter(kAllPhases[next_checkpoint_phase_]);
    const Duration at = Clock::now() - boot_start_;
    checkpoints_.push_back({c, at});
    Emit({.kind = Event::Kind::kCheckpoint, .duration = at, .checkpoint = c});
    ++next_checkpoint_phase_;
  }
}

void Scheduler::AdvanceLevelGate() {
  if (options_.strategy != Strategy::kLevels || stage_ != Stage::kBooting || aborting_) return;
  while (static_cast<std::size_t>(gate_level_) + 1 < level_unsettled_.size() &&
         level_unsettled_[static_cast<std::size_t>(gate_level_)] == 0) {
    ++gate_level_;
    auto& held = held_[static_cast<std::size_t>(gate_level_)];
    for (std::size_t i : held) {
      if (nodes_[i].state == ComponentState::kPending) ready_.emplace(ReadyKey(i), i);
    }
    held.clear();
  }
}

void Scheduler::Abort(Status reason, Actions& actions) {
  if (aborting_) return;
  aborting_ = true;
  abort_reason_ = std::move(reason);
  CancelStarts(Cancelled("not started: the boot was aborted").WithCause(abort_reason_), actions);
}

void Scheduler::CancelStarts(const Status& reason, Actions& actions) {
  const Clock::time_point now = Clock::now();
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    if (n.attempt && !n.attempt->stop) actions.cancel.push_back(n.attempt->cancel);
    if (n.state == ComponentState::kPending) {
      n.state = ComponentState::kBlocked;
      n.finished_at = now;
      n.last_error = reason;
      Emit({.kind = Event::Kind::kBlocked, .component = &graph_.spec(i), .status = reason});
      CountSettled(i);
    } else if (n.state == ComponentState::kStarting && !n.attempt) {
      // Waiting out a retry delay, or for a timed-out attempt to return: give up now.
      DisarmTimer(i);
      n.retry_due = false;
      n.awaiting_zombie = false;
      n.state = ComponentState::kFailed;
      n.finished_at = now;
      Emit({.kind = Event::Kind::kFailed, .component = &graph_.spec(i), .status = n.last_error});
      CountSettled(i);
    }
  }
  ready_.clear();
  for (auto& held : held_) held.clear();
  NotifyWaiters();
}

void Scheduler::TimeOut(std::size_t i, Actions& actions) {
  const Attempt& a = *nodes_[i].attempt;
  const std::string& name = graph_.spec(i).name;
  const Duration limit = a.deadline - a.began;
  if (a.stop) {
    Abandon(i,
            DeadlineExceeded("component '" + name + "' did not stop within " + Millis(limit) +
                             "; abandoned"),
            actions);
  } else {
    Abandon(i,
            DeadlineExceeded("component '" + name + "' did not start within " + Millis(limit) +
                             " (attempt " + std::to_string(a.number) + ")"),
            actions);
  }
}

void Scheduler::Abandon(std::size_t i, Status reason, Actions& actions) {
  Node& n = nodes_[i];
  std::shared_ptr<Attempt> a = std::move(n.attempt);
  a->abandoned = true;
  actions.cancel.push_back(a->cancel);
  DisarmTimer(i);
  --in_flight_;
  if (a->stop) {
    StopFinished(i, std::move(reason), Clock::now() - a->began);
  } else {
    n.zombie = true;
    AttemptFailed(i, a->number, std::move(reason), actions);
  }
}

void Scheduler::FireTimers(Clock::time_point now, Actions& actions) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const std::size_t i = timers_.begin()->second;
    timers_.erase(timers_.begin());
    Node& n = nodes_[i];
    n.timer.reset();
    if (n.attempt) {
      TimeOut(i, actions);
    } else if (n.awaiting_zombie) {
      n.awaiting_zombie = false;
      Fail(i,
           DeadlineExceeded("component '" + graph_.spec(i).name + "' was not retried: attempt " +
                            std::to_string(n.attempts) +
                            " timed out and did not return when cancelled")
               .WithCause(n.last_error),
           actions);
    } else if (n.retry_due) {
      n.retry_due = false;
      if (n.zombie) {
        // Never run two starts of one component at once: give the timed-out one time to return.
        n.awaiting_zombie = true;
        ArmTimer(i, now + start_timeout_[i]);
      } else {
        ready_.emplace(ReadyKey(i), i);
      }
    }
  }
  Pump(actions);
  NotifyWaiters();
}

void Scheduler::ArmTimer(std::size_t i, Clock::time_point at) {
  DisarmTimer(i);
  timers_.emplace(at, i);
  nodes_[i].timer = at;
  if (at < armed_until_) {
    armed_until_ = at;
    cv_.notify_all();
  }
}

void Scheduler::DisarmTimer(std::size_t i) {
  Node& n = nodes_[i];
  if (!n.timer) return;
  timers_.erase({*n.timer, i});
  n.timer.reset();
}

void Scheduler::Emit(Event e) {
  if (events_.enabled()) events_.Push(std::move(e));
}

void Scheduler::NotifyWaiters() {
  const bool boot_done = stage_ == Stage::kBooting && boot_unsettled_ == 0;
  const bool stop_progress =
      stage_ == Stage::kStopping && (in_flight_ == 0 || stop_unsettled_ == 0);
  if (ensure_waiters_ > 0 || boot_done || stop_progress) cv_.notify_all();
}

bool Scheduler::IsSettled(std::size_t i) const {
  const ComponentState s = nodes_[i].state;
  return s != ComponentState::kPending && s != ComponentState::kStarting;
}

bool Scheduler::WaitFor(Lock& lock, const std::function<bool()>& done,
                        std::optional<Clock::time_point> deadline) {
  while (!done()) {
    const Clock::time_point now = Clock::now();
    if (deadline && now >= *deadline) return false;
    Actions actions;
    FireTimers(now, actions);
    if (!actions.launch.empty() || !actions.cancel.empty()) {
      lock.unlock();
      Execute(actions, false);
      lock.lock();
      continue;
    }
    if (done()) break;
    Clock::time_point wake = timers_.empty() ? Clock::time_point::max() : timers_.begin()->first;
    armed_until_ = wake;
    if (deadline) wake = std::min(wake, *deadline);
    if (wake == Clock::time_point::max()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, wake);
    }
  }
  return true;
}

}  // namespace novacron::lifecycle::internal
