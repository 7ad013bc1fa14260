// Stop side of the scheduler: the mirror of the start, in reverse dependency order, each stop
// within its timeout and the whole within an optional overall deadline.
#include <string>

#include "lifecycle/scheduler.h"

namespace novacron::lifecycle::internal {

StopReport Scheduler::Stop(std::optional<Duration> overall_timeout) {
  const Clock::time_point begin = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (overall_timeout) deadline = begin + *overall_timeout;
  StopReport report;
  CancelBoot();  // a boot in progress rolls back what it started, then lets us in

  Lock lock(mu_);
  const auto idle = [&] { return !operation_running_; };
  if (deadline) {
    if (!cv_.wait_until(lock, *deadline, idle)) {
      report.status = DeadlineExceeded(
          "stop: the cancelled boot did not finish rolling back within the shutdown deadline");
      report.total = Clock::now() - begin;
      return report;
    }
  } else {
    cv_.wait(lock, idle);
  }
  operation_running_ = true;
  if (stage_ == Stage::kBooted) StopRunning(lock, deadline, report);
  stage_ = Stage::kStopped;
  operation_running_ = false;
  cv_.notify_all();
  report.total = Clock::now() - begin;
  lock.unlock();
  events_.Flush();
  return report;
}

void Scheduler::StopRunning(Lock& lock, std::optional<Clock::time_point> deadline,
                            StopReport& report) {
  stage_ = Stage::kStopping;
  stop_deadline_passed_ = false;
  stop_outcomes_.clear();

  // No new starts; those in flight are asked to return and either do or time out.
  Actions actions;
  CancelStarts(Cancelled("not started: the engine is stopping"), actions);
  lock.unlock();
  Execute(actions, false);
  lock.lock();
  if (!WaitFor(
          lock, [&] { return in_flight_ == 0; }, deadline)) {
    Actions abandon;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].attempt) {
        Abandon(i,
                DeadlineExceeded("component '" + graph_.spec(i).name +
                                 "' start abandoned: the shutdown deadline passed"),
                abandon);
      }
    }
    lock.unlock();
    Execute(abandon, false);
    lock.lock();
  }

  // Everything running stops after all of its running dependents stopped.
  Actions stops;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].state != ComponentState::kRunning) continue;
    nodes_[i].in_stop_set = true;
    ++stop_unsettled_;
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    if (!n.in_stop_set) continue;
    n.waiting = 0;
    for (std::size_t d : graph_.DependentsOf(i)) n.waiting += nodes_[d].in_stop_set ? 1 : 0;
    if (n.waiting == 0) ready_.emplace(ReadyKey(i), i);
  }
  Pump(stops);
  lock.unlock();
  Execute(stops, false);
  lock.lock();

  if (!WaitFor(
          lock, [&] { return stop_unsettled_ == 0; }, deadline)) {
    stop_deadline_passed_ = true;
    ready_.clear();
    Actions abandon;
    const auto& order = graph_.TopologicalOrder();
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const std::size_t i = *it;
      Node& n = nodes_[i];
      if (!n.in_stop_set) continue;
      const std::string& name = graph_.spec(i).name;
      if (n.attempt) {
        Abandon(i,
                DeadlineExceeded("component '" + name +
                                 "' stop abandoned: the shutdown deadline passed"),
                abandon);
      } else if (n.state == ComponentState::kRunning) {
        StopFinished(
            i,
            DeadlineExceeded("component '" + name + "' not stopped: the shutdown deadline passed"),
            Duration::zero());
      }
    }
    lock.unlock();
    Execute(abandon, false);
    lock.lock();
  }

  std::string failures;
  for (const StopOutcome& o : stop_outcomes_) {
    if (o.error.ok()) continue;
    if (report.status.ok()) report.status = Status(o.error.code(), "");
    failures += (failures.empty() ? "" : "; ") + o.error.ToString();
  }
  if (!report.status.ok()) {
    report.status =
        Status(report.status.code(), "stop: not every component stopped cleanly: " + failures);
  }
  report.components = std::move(stop_outcomes_);
  stop_outcomes_.clear();
  for (Node& n : nodes_) n.in_stop_set = false;
}

void Scheduler::DispatchStop(std::size_t i, Actions& actions) {
  Node& n = nodes_[i];
  const Clock::time_point now = Clock::now();
  auto a = std::make_shared<Attempt>();
  a->node = i;
  a->stop = true;
  a->began = now;
  a->deadline = now + stop_timeout_[i];
  n.state = ComponentState::kStopping;
  n.attempt = a;
  ++in_flight_;
  ArmTimer(i, a->deadline);
  Emit({.kind = Event::Kind::kStopping, .component = &graph_.spec(i)});
  actions.launch.push_back(std::move(a));
}

void Scheduler::OnStopReturned(const Attempt& a, Status result, Actions& actions) {
  nodes_[a.node].attempt.reset();
  DisarmTimer(a.node);
  --in_flight_;
  StopFinished(a.node, std::move(result), Clock::now() - a.began);
  Pump(actions);
  NotifyWaiters();
}

void Scheduler::StopFinished(std::size_t i, Status result, Duration took) {
  Node& n = nodes_[i];
  n.state = result.ok() ? ComponentState::kStopped : ComponentState::kFailed;
  if (!result.ok()) n.last_error = result;
  Emit({.kind = Event::Kind::kStopped,
        .component = &graph_.spec(i),
        .duration = took,
        .status = result});
  stop_outcomes_.push_back({graph_.spec(i).name, n.state, took, std::move(result)});
  --stop_unsettled_;
  if (stop_deadline_passed_) return;
  for (std::size_t d : graph_.DependenciesOf(i)) {
    Node& m = nodes_[d];
    if (m.in_stop_set && m.state == ComponentState::kRunning && --m.waiting == 0) {
      ready_.emplace(ReadyKey(d), d);
    }
  }
}

}  // namespace novacron::lifecycle::internal
