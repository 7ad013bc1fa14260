// Turns the engine's events into what operators see: a JSON log line per start, retry,
// failure and stop; the boot metrics of docs/operations.md; and the boot's timeline and checkpoints
// in the state store. Events that happen before the database component is up are kept in memory and
// written as soon as it is, so the record of a boot that dies later is complete up to that point.
// Store writes (each one fsynced) happen on a writer thread of their own, in event order, so
// they never delay the boot.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "components/runtime.h"
#include "lifecycle/observer.h"
#include "lifecycle/report.h"
#include "store/state_store.h"

namespace novacron::daemon {

class BootRecorder : public lifecycle::Observer {
 public:
  // `store_when_up` is asked for the state store right after the component named
  // `store_component` started; it may return null. The recorder keeps the store open until
  // RecordShutdown (or its destruction), so a failed boot's record is completed after rollback.
  using StoreProvider = std::function<std::shared_ptr<store::StateStore>()>;
  BootRecorder(components::LogHub& logs, observe::Registry& metrics, store::BootInfo info,
               std::string store_component, StoreProvider store_when_up);
  ~BootRecorder() override;  // writes what is pending

  // Registers the boot metric families (docs/operations.md, Metrics); call once before the boot.
  Status RegisterMetrics();

  // The boot's outcome, once Engine::Start returned.
  void Finish(const lifecycle::BootReport& report);
  // An orderly stop begins: recorded (and everything pending written) before the store closes.
  void RecordShutdown();

  int64_t boot_id() const { return boot_id_; }

  void OnCheckpoint(lifecycle::Checkpoint checkpoint, lifecycle::Duration at) override;
  void OnStarting(const lifecycle::ComponentSpec& component, int attempt) override;
  void OnStarted(const lifecycle::ComponentSpec& component, int attempt,
                 lifecycle::Duration took) override;
  void OnAttemptFailed(const lifecycle::ComponentSpec& component, int attempt, const Status& error,
                       std::optional<lifecycle::Duration> retry_in) override;
  void OnFailed(const lifecycle::ComponentSpec& component, const Status& error) override;
  void OnBlocked(const lifecycle::ComponentSpec& component, std::string_view dependency,
                 const Status& reason) override;
  void OnStopping(const lifecycle::ComponentSpec& component) override;
  void OnStopped(const lifecycle::ComponentSpec& component, lifecycle::Duration took,
                 const Status& result) override;
  void OnLateStart(const lifecycle::ComponentSpec& component, int attempt,
                   const Status& start_result, const Status& cleanup) override;

 private:
  observe::Logger Log(const lifecycle::ComponentSpec& component) const;
  std::chrono::microseconds Now() const;
  store::ComponentRecord& Record(const lifecycle::ComponentSpec& component);
  // Writes `record` now when the store is attached (otherwise it is written on attach).
  void Persist(const store::ComponentRecord& record);
  void AttachStore(std::shared_ptr<store::StateStore> store);
  // Queues a store write for the writer thread (dropped when no store is attached).
  void Enqueue(std::function<Status(store::BootStore&, int64_t boot_id)> write);
  // Waits until every queued write is done.
  void Flush();
  void WriterLoop();

  components::LogHub& logs_;
  observe::Registry& metrics_;
  store::BootInfo info_;
  std::string store_component_;
  StoreProvider store_when_up_;

  lifecycle::Clock::time_point boot_start_ = lifecycle::Clock::now();
  // Engine-thread state: attached once, detached by RecordShutdown.
  bool attached_ = false;

  // Shared with the writer thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<Status(store::BootStore&, int64_t)>> queue_;
  bool writing_ = false;
  bool quit_ = false;
  std::shared_ptr<store::StateStore> store_;
  int64_t boot_id_ = 0;
  bool store_failed_ = false;
  std::thread writer_;
  std::map<std::string, store::ComponentRecord, std::less<>> records_;
  std::vector<std::string> record_order_;
  std::vector<store::CheckpointRecord> checkpoints_;
  std::map<std::string, lifecycle::Clock::time_point, std::less<>> first_attempt_;

  observe::GaugeFamily* init_duration_ = nullptr;            // {phase}
  observe::GaugeFamily* component_init_duration_ = nullptr;  // {component}
  observe::CounterFamily* init_success_ = nullptr;           // {component}
  observe::CounterFamily* init_failures_ = nullptr;          // {component,error_type}
  observe::CounterFamily* retry_attempts_ = nullptr;         // {component}
  observe::GaugeFamily* total_duration_ = nullptr;
  observe::CounterFamily* initialized_ = nullptr;
  observe::CounterFamily* failed_ = nullptr;
};

}  // namespace novacron::daemon
