#include "http/handler_pool.h"

#include <utility>

#include "http/connection.h"

namespace novacron::http::internal {

HandlerPool::HandlerPool(int max_queued, std::function<void()> notify_exit)
    : max_queued_(static_cast<size_t>(max_queued)), notify_exit_(std::move(notify_exit)) {}

HandlerPool::~HandlerPool() = default;

void HandlerPool::StartThreads(int count, const std::shared_ptr<void>& keep_alive) {
  for (int i = 0; i < count; ++i) {
    auto slot = std::make_unique<Slot>();
    Slot* raw = slot.get();
    slots_.push_back(std::move(slot));
    raw->thread =
        std::thread([this, raw, keep_alive = std::shared_ptr<void>(keep_alive)]() mutable {
          Run(*raw);
          raw->exited = true;
          notify_exit_();
          keep_alive.reset();  // may destroy the server when Stop() gave up on this thread
        });
  }
}

bool HandlerPool::Submit(std::shared_ptr<Connection> connection) {
  Slot* woken = nullptr;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(connection));
    queued_.store(static_cast<int64_t>(queue_.size()), std::memory_order_relaxed);
    if (!idle_.empty()) {
      woken = idle_.back();  // the thread that went idle last: its caches are still warm
      idle_.pop_back();
      woken->signaled = true;
    }
  }
  if (woken != nullptr) woken->wake.notify_one();
  return true;
}

void HandlerPool::Abandon() {
  std::vector<Slot*> woken;
  {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    woken.swap(idle_);
    for (Slot* slot : woken) slot->signaled = true;
  }
  for (Slot* slot : woken) slot->wake.notify_one();
}

void HandlerPool::Run(Slot& self) {
  std::unique_lock lock(mu_);
  while (true) {
    while (queue_.empty() && !abandoned_) {
      self.signaled = false;
      idle_.push_back(&self);
      self.wake.wait(lock, [&] { return self.signaled; });
    }
    if (queue_.empty()) return;  // abandoned and nothing left to hand back
    std::shared_ptr<Connection> connection = std::move(queue_.front());
    queue_.pop_front();
    queued_.store(static_cast<int64_t>(queue_.size()), std::memory_order_relaxed);
    const bool abandoned = abandoned_;
    lock.unlock();
    // Moves `connection` on to its I/O thread: it is never released here.
    Connection::HandleOnPool(std::move(connection), abandoned);
    lock.lock();
  }
}

bool HandlerPool::AllExited() const {
  for (const auto& slot : slots_) {
    if (!slot->exited.load()) return false;
  }
  return true;
}

void HandlerPool::JoinOrDetach() {
  for (auto& slot : slots_) {
    if (!slot->thread.joinable()) continue;
    if (slot->exited.load()) {
      slot->thread.join();
    } else {
      slot->thread.detach();  // inside a handler; it holds the server alive until it returns
    }
  }
}

}  // namespace novacron::http::internal
