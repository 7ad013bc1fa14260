#include "daemon/boot_recorder.h"

#include "lifecycle/checkpoint.h"

namespace novacron::daemon {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

double Millis(lifecycle::Duration d) { return lifecycle::ToMillis(d); }
double Seconds(lifecycle::Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

BootRecorder::BootRecorder(components::LogHub& logs, observe::Registry& metrics,
                           store::BootInfo info, std::string store_component,
                           StoreProvider store_when_up)
    : logs_(logs),
      metrics_(metrics),
      info_(std::move(info)),
      store_component_(std::move(store_component)),
      store_when_up_(std::move(store_when_up)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

BootRecorder::~BootRecorder() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  writer_.join();  // the loop drains the queue first
}

void BootRecorder::Enqueue(std::function<Status(store::BootStore&, int64_t)> write) {
  {
    std::lock_guard lock(mu_);
    if (store_ == nullptr) return;
    queue_.push_back(std::move(write));
  }
  cv_.notify_all();
}

void BootRecorder::Flush() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void BootRecorder::WriterLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return quit_ || !queue_.empty(); });
    if (queue_.empty()) return;  // quit_ and drained
    auto write = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    std::shared_ptr<store::StateStore> state = store_;
    int64_t id = boot_id_;
    lock.unlock();
    Status s = state != nullptr ? write(state->boots(), id) : Status();
    lock.lock();
    writing_ = false;
    if (!s.ok() && !store_failed_) {
      store_failed_ = true;  // said once; the daemon goes on without its boot record
      logs_.Get().Error("cannot record the boot timeline", {{"error", s.ToString()}});
    }
    cv_.notify_all();
  }
}

Status BootRecorder::RegisterMetrics() {
  observe::Registry& r = metrics_;
  NOVACRON_ASSIGN_OR_RETURN(
      init_duration_,
      r.RegisterGauge("novacron_init_duration_seconds", "Duration of each boot phase.", {"phase"}));
  NOVACRON_ASSIGN_OR_RETURN(
      component_init_duration_,
      r.RegisterGauge("novacron_component_init_duration_seconds",
                      "Time from a component's first start attempt until it ran.", {"component"}));
  NOVACRON_ASSIGN_OR_RETURN(init_success_,
                            r.RegisterCounter("novacron_component_init_success_total",
                                              "Successful component starts.", {"component"}));
  NOVACRON_ASSIGN_OR_RETURN(init_failures_,
                            r.RegisterCounter("novacron_component_init_failures_total",
                                              "Failed component start attempts, by error type.",
                                              {"component", "error_type"}));
  NOVACRON_ASSIGN_OR_RETURN(
      retry_attempts_,
      r.RegisterCounter("novacron_component_retry_attempts_total",
                        "Start attempts that were retried after a retriable failure.",
                        {"component"}));
  NOVACRON_ASSIGN_OR_RETURN(total_duration_,
                            r.RegisterGauge("novacron_init_total_duration_seconds",
                                            "Duration of the last boot, start to settled."));
  NOVACRON_ASSIGN_OR_RETURN(initialized_, r.RegisterCounter("novacron_components_initialized_total",
                                                            "Components that started."));
  NOVACRON_ASSIGN_OR_RETURN(failed_, r.RegisterCounter("novacron_components_failed_total",
                                                       "Components that did not start."));
  // Zero samples from the start, so the series exist before anything failed.
  initialized_->Get();
  failed_->Get();
  total_duration_->Get();
  return {};
}

observe::Logger BootRecorder::Log(const lifecycle::ComponentSpec& c) const {
  return logs_.Get().With(
      {{"component", c.name}, {"phase", std::string(lifecycle::PhaseName(c.phase))}});
}

microseconds BootRecorder::Now() const {
  return duration_cast<microseconds>(lifecycle::Clock::now() - boot_start_);
}

store::ComponentRecord& BootRecorder::Record(const lifecycle::ComponentSpec& c) {
  auto it = records_.find(c.name);
  if (it != records_.end()) return it->second;
  store::ComponentRecord record;
  record.name = c.name;
  record.phase = std::string(lifecycle::PhaseName(c.phase));
  record.criticality = std::string(lifecycle::CriticalityName(c.criticality));
  record.dependencies = c.dependencies;
  record_order_.push_back(c.name);
  return records_.emplace(c.name, std::move(record)).first->second;
}

void BootRecorder::Persist(const store::ComponentRecord& record) {
  if (!attached_) return;  // replayed by AttachStore
  Enqueue(
      [record](store::BootStore& boots, int64_t id) { return boots.RecordComponent(id, record); });
}

void BootRecorder::AttachStore(std::shared_ptr<store::StateStore> state) {
  if (state == nullptr) return;
  {
    std::lock_guard lock(mu_);
    store_ = std::move(state);
  }
  attached_ = true;
  // boot_id_ is the writer thread's: set by this first write, read by the later ones.
  Enqueue([this](store::BootStore& store, int64_t) -> Status {
    auto id = store.BeginBoot(info_);
    if (!id.ok()) return id.status();
    {
      std::lock_guard lock(mu_);
      boot_id_ = *id;
    }
    auto marked = store.MarkInterrupted(*id);
    if (!marked.ok()) return marked.status();
    if (*marked > 0) {
      logs_.Get().Warn("earlier boots did not end cleanly; see `novacron boots`",
                       {{"count", static_cast<int64_t>(*marked)}});
    }
    return {};
  });
  for (const auto& cp : checkpoints_) {
    Enqueue([cp](store::BootStore& store, int64_t id) {
      return store.RecordCheckpoint(id, cp.name, cp.offset);
    });
  }
  for (const auto& name : record_order_) Persist(records_.at(name));
}

void BootRecorder::RecordShutdown() {
  Enqueue([](store::BootStore& store, int64_t id) {
    return store.RecordShutdown(id, std::chrono::system_clock::now(), /*clean=*/true);
  });
  Flush();
  std::lock_guard lock(mu_);
  store_.reset();  // the database component closes the store next
}

void BootRecorder::OnCheckpoint(lifecycle::Checkpoint checkpoint, lifecycle::Duration at) {
  if (checkpoint == lifecycle::Checkpoint::kInitStart) boot_start_ = lifecycle::Clock::now() - at;
  store::CheckpointRecord cp{std::string(lifecycle::CheckpointName(checkpoint)),
                             duration_cast<microseconds>(at)};
  logs_.Get().Info("checkpoint", {{"checkpoint", cp.name}, {"at_ms", Millis(at)}});
  checkpoints_.push_back(cp);
  if (attached_) {
    Enqueue([cp](store::BootStore& store, int64_t id) {
      return store.RecordCheckpoint(id, cp.name, cp.offset);
    });
  }
}

void BootRecorder::OnStarting(const lifecycle::ComponentSpec& c, int attempt) {
  first_attempt_.try_emplace(c.name, lifecycle::Clock::now());
  store::ComponentRecord& r = Record(c);
  if (!r.start_offset) r.start_offset = Now();
  r.state = "starting";
  r.attempts = attempt;
  Log(c).Info("component starting",
              {{"attempt", attempt},
               {"criticality", std::string(lifecycle::CriticalityName(c.criticality))}});
  Persist(r);
}

void BootRecorder::OnStarted(const lifecycle::ComponentSpec& c, int attempt,
                             lifecycle::Duration took) {
  lifecycle::Duration since_first = lifecycle::Clock::now() - first_attempt_[c.name];
  store::ComponentRecord& r = Record(c);
  r.state = "started";
  r.attempts = attempt;
  r.end_offset = Now();
  r.error.clear();
  Log(c).Info(
      "component started",
      {{"attempt", attempt}, {"duration_ms", Millis(took)}, {"total_ms", Millis(since_first)}});
  init_success_->WithLabels({c.name}).Inc();
  component_init_duration_->WithLabels({c.name}).Set(Seconds(since_first));
  initialized_->Get().Inc();
  if (c.name == store_component_ && !attached_) AttachStore(store_when_up_());
  Persist(r);
}

void BootRecorder::OnAttemptFailed(const lifecycle::ComponentSpec& c, int attempt,
                                   const Status& error,
                                   std::optional<lifecycle::Duration> retry_in) {
  init_failures_->WithLabels({c.name, ErrorCodeName(error.code())}).Inc();
  observe::Fields fields{{"attempt", attempt}, {"error", error.ToString()}};
  if (retry_in) {
    retry_attempts_->WithLabels({c.name}).Inc();
    fields.push_back({"retry_in_ms", Millis(*retry_in)});
    Log(c).Warn("component start failed; retrying", fields);
  } else {
    Log(c).Warn("component start failed", fields);
  }
  store::ComponentRecord& r = Record(c);
  r.attempts = attempt;
  r.error = error.ToString();
  Persist(r);
}

void BootRecorder::OnFailed(const lifecycle::ComponentSpec& c, const Status& error) {
  failed_->Get().Inc();
  store::ComponentRecord& r = Record(c);
  r.state = "failed";
  r.end_offset = Now();
  r.error = error.ToString();
  observe::Fields fields{{"error", error.ToString()},
                         {"criticality", std::string(lifecycle::CriticalityName(c.criticality))}};
  switch (c.criticality) {
    case lifecycle::Criticality::kCritical:
      Log(c).Error("critical component failed; aborting boot", fields);
      break;
    case lifecycle::Criticality::kDegraded:
      Log(c).Warn("component failed; continuing degraded", fields);
      break;
    case lifecycle::Criticality::kOptional:
      Log(c).Warn("optional component failed; continuing", fields);
      break;
  }
  Persist(r);
}

void BootRecorder::OnBlocked(const lifecycle::ComponentSpec& c, std::string_view dependency,
                             const Status& reason) {
  store::ComponentRecord& r = Record(c);
  r.state = "blocked";
  r.error = reason.ToString();
  Log(c).Warn("component not started",
              {{"dependency", std::string(dependency)}, {"reason", reason.ToString()}});
  Persist(r);
}

void BootRecorder::OnStopping(const lifecycle::ComponentSpec& c) {
  Log(c).Info("component stopping");
}

void BootRecorder::OnStopped(const lifecycle::ComponentSpec& c, lifecycle::Duration took,
                             const Status& result) {
  if (result.ok()) {
    Log(c).Info("component stopped", {{"duration_ms", Millis(took)}});
  } else {
    Log(c).Error("component stop failed",
                 {{"duration_ms", Millis(took)}, {"error", result.ToString()}});
  }
}

void BootRecorder::OnLateStart(const lifecycle::ComponentSpec& c, int attempt,
                               const Status& start_result, const Status& cleanup) {
  Log(c).Warn("timed-out start attempt returned late", {{"attempt", attempt},
                                                        {"start_result", start_result.ToString()},
                                                        {"cleanup", cleanup.ToString()}});
}

void BootRecorder::Finish(const lifecycle::BootReport& report) {
  for (const lifecycle::PhaseTiming& p : report.phases) {
    init_duration_->WithLabels({lifecycle::PhaseName(p.phase)}).Set(Seconds(p.duration));
  }
  total_duration_->Get().Set(Seconds(report.total));
  // Events arrive a little after they happen; the report has the engine's exact times.
  for (const lifecycle::ComponentOutcome& outcome : report.components) {
    auto it = records_.find(outcome.name);
    if (it == records_.end()) continue;
    store::ComponentRecord& r = it->second;
    if (outcome.started) r.start_offset = duration_cast<microseconds>(*outcome.started);
    if (outcome.finished) r.end_offset = duration_cast<microseconds>(*outcome.finished);
    r.attempts = outcome.attempts;
    Persist(r);
  }
  store::BootState state = !report.status.ok() ? store::BootState::kFailed
                           : report.degraded   ? store::BootState::kDegraded
                                               : store::BootState::kReady;
  auto total = duration_cast<microseconds>(report.total);
  std::string error = report.status.ok() ? "" : report.status.ToString();
  Enqueue([state, total, error](store::BootStore& store, int64_t id) {
    return store.FinishBoot(id, state, total, error);
  });
  // A failed boot ends the process: make sure its record is complete first.
  if (!report.status.ok()) Flush();
}

}  // namespace novacron::daemon
