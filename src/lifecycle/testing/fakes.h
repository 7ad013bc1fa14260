// Fault-injecting components and a recording observer for the lifecycle tests.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lifecycle/component.h"
#include "lifecycle/observer.h"

namespace novacron::lifecycle::testing {

inline ComponentSpec MakeSpec(std::string name, std::vector<std::string> deps = {},
                              Criticality criticality = Criticality::kCritical,
                              Phase phase = Phase::kServices) {
  ComponentSpec s;
  s.name = std::move(name);
  s.dependencies = std::move(deps);
  s.criticality = criticality;
  s.phase = phase;
  return s;
}

// "c7": built by appending, which GCC 12 -O3 does not misreport (-Wrestrict, GCC bug 105329).
inline std::string Numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// A global order of what components did, to check orderings without timing.
class Trace {
 public:
  void Add(std::string what) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(what));
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  // Position of the first `what`, or -1.
  int IndexOf(const std::string& what) const {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < events_.size(); ++i) {
      if (events_[i] == what) return static_cast<int>(i);
    }
    return -1;
  }
  int Count(const std::string& what) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& e : events_) n += e == what ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

// A one-shot latch: Wait returns true once Open was called, false after `max`.
class Gate {
 public:
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool Wait(Duration max) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, max, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Blocks until `token` is stop-requested (true) or `max` passed (false).
inline bool WaitForStopRequest(std::stop_token token, Duration max) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, token, max, [] { return false; });
  return token.stop_requested();
}

// Polls `done` until it holds or `max` passed: for effects that happen on engine threads after
// the call under test returned (abandoned calls finishing late).
template <class Pred>
bool Eventually(Pred done, Duration max = std::chrono::seconds(20)) {
  const auto until = Clock::now() + max;
  while (!done()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Records "start:<name>" / "started:<name>" / "stop:<name>" / "stopped:<name>" into a Trace and
// runs the injected behaviour in between.
class FakeComponent : public Component {
 public:
  using StartFn = std::function<Status(StartContext&)>;
  using StopFn = std::function<Status(StopContext&)>;

  // The trace is shared: a start or stop the engine abandoned may still write to it later.
  FakeComponent(ComponentSpec spec, std::shared_ptr<Trace> trace, StartFn on_start = nullptr,
                StopFn on_stop = nullptr)
      : Component(std::move(spec)),
        trace_(std::move(trace)),
        on_start_(std::move(on_start)),
        on_stop_(std::move(on_stop)) {}

  Status Start(StartContext& ctx) override {
    ++starts_;
    if (trace_) trace_->Add("start:" + name());
    Status s = on_start_ ? on_start_(ctx) : Status::Ok();
    if (trace_) trace_->Add((s.ok() ? "started:" : "start-failed:") + name());
    return s;
  }
  Status Stop(StopContext& ctx) override {
    ++stops_;
    if (trace_) trace_->Add("stop:" + name());
    Status s = on_stop_ ? on_stop_(ctx) : Status::Ok();
    if (trace_) trace_->Add("stopped:" + name());
    return s;
  }
  HealthReport Health() const override {
    std::lock_guard lock(mu_);
    return health_;
  }
  void SetHealth(HealthReport h) {
    std::lock_guard lock(mu_);
    health_ = std::move(h);
  }

  int starts() const { return starts_; }
  int stops() const { return stops_; }

 private:
  std::shared_ptr<Trace> trace_;
  StartFn on_start_;
  StopFn on_stop_;
  std::atomic<int> starts_{0};
  std::atomic<int> stops_{0};
  mutable std::mutex mu_;
  HealthReport health_;
};

// Records every observer call as one line, e.g. "attempt-failed:cache#1 retry=1ms".
class RecordingObserver : public Observer {
 public:
  void OnCheckpoint(Checkpoint c, Duration) override { Add("checkpoint:" + S(CheckpointName(c))); }
  void OnStarting(const ComponentSpec& c, int attempt) override {
    Add("starting:" + c.name + "#" + std::to_string(attempt));
  }
  void OnStarted(const ComponentSpec& c, int attempt, Duration) override {
    Add("started:" + c.name + "#" + std::to_string(attempt));
  }
  void OnAttemptFailed(const ComponentSpec& c, int attempt, const Status&,
                       std::optional<Duration> retry_in) override {
    std::string line = "attempt-failed:" + c.name + "#" + std::to_string(attempt);
    if (retry_in) {
      line +=
          " retry=" +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*retry_in).count()) +
          "ms";
    }
    Add(line);
  }
  void OnFailed(const ComponentSpec& c, const Status&) override { Add("failed:" + c.name); }
  void OnBlocked(const ComponentSpec& c, std::string_view dependency, const Status&) override {
    Add("blocked:" + c.name + " by " + S(dependency));
  }
  void OnStopping(const ComponentSpec& c) override { Add("stopping:" + c.name); }
  void OnStopped(const ComponentSpec& c, Duration, const Status& result) override {
    Add((result.ok() ? "stopped:" : "stop-failed:") + c.name);
  }
  void OnLateStart(const ComponentSpec& c, int attempt, const Status& result,
                   const Status& cleanup) override {
    Add("late-start:" + c.name + "#" + std::to_string(attempt) + (result.ok() ? " ok" : " error") +
        (cleanup.ok() ? " cleaned" : " cleanup-failed"));
  }

  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  int Count(const std::string& prefix) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& l : lines_) n += l.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }

 private:
  static std::string S(std::string_view v) { return std::string(v); }
  void Add(std::string line) {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
  }
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace novacron::lifecycle::testing
