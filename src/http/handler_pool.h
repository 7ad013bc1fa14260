// The threads that run request handlers off the I/O threads (ServerOptions::handler_threads),
// and the bounded queue in front of them. Internal to http/.
//
// A connection whose request is ready is queued here with a reference to itself; a pool thread
// runs the router on it and posts the response back to the connection's own I/O thread, handing
// that reference along, so a connection is only ever released (and destroyed) on its I/O thread
// or while the server itself is destroyed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace novacron::http::internal {

class Connection;

class HandlerPool {
 public:
  // `notify_exit` runs (on the exiting thread) each time a pool thread leaves, so that Stop()
  // can wait for them on the server's condition variable.
  HandlerPool(int max_queued, std::function<void()> notify_exit);
  ~HandlerPool();  // threads must have been joined or detached (Detach/Join)
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // Starts `count` threads; each holds `keep_alive` (the server) until it exits.
  void StartThreads(int count, const std::shared_ptr<void>& keep_alive);

  // Queues the connection's request; false when max_queued requests are already waiting.
  bool Submit(std::shared_ptr<Connection> connection);

  // Stop(): from now on queued requests are handed back unhandled (their connections are
  // closed by then), and threads exit once the queue is empty.
  void Abandon();
  bool AllExited() const;
  // Joins the threads that exited and detaches the ones still inside a handler.
  void JoinOrDetach();

  int64_t queued() const { return queued_.load(std::memory_order_relaxed); }

 private:
  struct Slot;
  // A pool thread's loop: takes requests off the queue, sleeping on its own slot while idle.
  void Run(Slot& self);

  const size_t max_queued_;
  const std::function<void()> notify_exit_;
  // One per thread. Idle threads wait on their own condition variable, and Submit wakes the one
  // that went idle last (LIFO): under a steady load a few warm threads do the work instead of
  // every thread taking turns, which costs a context switch per request on a small machine.
  struct Slot {
    std::thread thread;
    std::condition_variable wake;
    bool signaled = false;            // guarded by mu_: Submit or Abandon took us off idle_
    std::atomic<bool> exited{false};  // past Run(): joining waits only for its last lines
  };

  std::mutex mu_;
  std::deque<std::shared_ptr<Connection>> queue_;  // guarded by mu_
  std::vector<Slot*> idle_;                        // guarded by mu_; the last went idle last
  bool abandoned_ = false;                         // guarded by mu_
  std::atomic<int64_t> queued_{0};                 // queue_.size(), readable without mu_
  std::vector<std::unique_ptr<Slot>> slots_;       // only resized by StartThreads
};

}  // namespace novacron::http::internal
