// Threads for component starts and stops (internal to the engine). Starts block (they sleep,
// connect, wait), so a task must not wait for a thread that is merely blocked: the pool grows up
// to kFreeThreads at once, and beyond that whenever every busy thread has been stuck in its task
// for kStall (a growth thread checks). Short tasks thus reuse a few threads instead of creating
// one each, while blocking ones still all run at once. The engine bounds concurrency itself.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace novacron::lifecycle::internal {

class WorkerPool {
 public:
  static constexpr int kFreeThreads = 32;
  static constexpr std::chrono::microseconds kStall{100};

  WorkerPool();
  ~WorkerPool();  // Shutdown()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs the tasks on idle threads, or new ones (see above). Dropped after Shutdown.
  void Submit(std::vector<std::function<void()>> tasks);

  // Joins the idle threads and detaches those still running a task (a start or stop the engine
  // abandoned after its timeout: it must not hang the caller). Idempotent; callable from a
  // pool thread.
  void Shutdown();

  int threads() const;  // created so far

 private:
  struct State;
  struct Worker;
  // Threads hold the state by shared_ptr: a detached one may outlive the pool.
  static void WorkerLoop(std::shared_ptr<State> state, Worker* self);
  static void GrowthLoop(std::shared_ptr<State> state);
  static void Spawn(const std::shared_ptr<State>& state);  // under State::mu

  std::shared_ptr<State> state_;
};

}  // namespace novacron::lifecycle::internal
