#include "lifecycle/event_queue.h"

#include <utility>

#include "lifecycle/observer.h"

namespace novacron::lifecycle::internal {

EventQueue::EventQueue(Observer* observer) : observer_(observer) {
  if (observer_ != nullptr) thread_ = std::thread([this] { Loop(); });
}

EventQueue::~EventQueue() { Close(); }

void EventQueue::Push(Event event) {
  if (observer_ == nullptr) return;
  std::lock_guard lock(mu_);
  if (closed_) return;
  queue_.push_back(std::move(event));
  ++pushed_;
  if (queue_.size() == 1) cv_.notify_all();
}

void EventQueue::Flush() {
  if (observer_ == nullptr || std::this_thread::get_id() == thread_.get_id()) return;
  std::unique_lock lock(mu_);
  const std::uint64_t target = pushed_;
  cv_.wait(lock, [&] { return delivered_ >= target || closed_; });
}

void EventQueue::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventQueue::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return;  // closed and drained
    std::deque<Event> batch;
    batch.swap(queue_);
    lock.unlock();
    for (const Event& e : batch) {
      // An observer's exception must not take the daemon down; there is nobody to tell.
      try {
        Deliver(e);
      } catch (...) {
      }
    }
    lock.lock();
    delivered_ += batch.size();
    cv_.notify_all();
  }
}

void EventQueue::Deliver(const Event& e) {
  Observer& o = *observer_;
  if (e.kind == Event::Kind::kCheckpoint) {
    o.OnCheckpoint(e.checkpoint, e.duration);
    return;
  }
  const ComponentSpec& c = *e.component;
  switch (e.kind) {
    case Event::Kind::kCheckpoint:
      return;
    case Event::Kind::kStarting:
      o.OnStarting(c, e.attempt);
      return;
    case Event::Kind::kStarted:
      o.OnStarted(c, e.attempt, e.duration);
      return;
    case Event::Kind::kAttemptFailed:
      o.OnAttemptFailed(c, e.attempt, e.status, e.retry_in);
      return;
    case Event::Kind::kFailed:
      o.OnFailed(c, e.status);
      return;
    case Event::Kind::kBlocked:
      o.OnBlocked(c, e.dependency, e.status);
      return;
    case Event::Kind::kStopping:
      o.OnStopping(c);
      return;
    case Event::Kind::kStopped:
      o.OnStopped(c, e.duration, e.status);
      return;
    case Event::Kind::kLateStart:
      o.OnLateStart(c, e.attempt, e.status, e.cleanup);
      return;
  }
}

}  // namespace novacron::lifecycle::internal
