// Delivers engine events to the Observer from one thread, in order (internal to the engine).
// The engine pushes under its own lock, so the order is the order of its state changes; the
// observer runs without any engine lock held and may call the engine's read-only functions.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "lifecycle/checkpoint.h"
#include "lifecycle/clock.h"
#include "lifecycle/component.h"

namespace novacron::lifecycle {
class Observer;
}

namespace novacron::lifecycle::internal {

struct Event {
  enum class Kind {
    kCheckpoint,
    kStarting,
    kStarted,
    kAttemptFailed,
    kFailed,
    kBlocked,
    kStopping,
    kStopped,
    kLateStart,
  };
  Kind kind = Kind::kCheckpoint;
  const ComponentSpec* component = nullptr;  // owned by the engine's components
  int attempt = 0;
  Duration duration{};  // took, or the checkpoint's time since boot start
  Status status{};
  Status cleanup{};
  std::optional<Duration> retry_in{};
  Checkpoint checkpoint = Checkpoint::kInitStart;
  std::string_view dependency{};  // a name owned by the engine's graph
};

class EventQueue {
 public:
  explicit EventQueue(Observer* observer);  // null: events are dropped, no thread
  ~EventQueue();                            // Close()
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  bool enabled() const { return observer_ != nullptr; }
  void Push(Event event);
  // Waits until every event pushed so far was delivered. No-op on the delivery thread itself.
  void Flush();
  // Delivers what is queued, then stops the thread; later pushes are dropped.
  void Close();

 private:
  void Deliver(const Event& e);
  void Loop();

  Observer* const observer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> queue_;
  std::uint64_t pushed_ = 0;
  std::uint64_t delivered_ = 0;
  bool closed_ = false;
  std::thread thread_;
};

}  // namespace novacron::lifecycle::internal
