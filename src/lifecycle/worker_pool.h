// Threads for component starts and stops (internal to the engine). Starts block (they sleep,
// connect, wait), so a task must not wait for a thread that is merely blocked: a task that finds
// no idle thread gets a new one, at once. Only a huge burst (the boot of thousands of components
// with nothing between them) is held to kBurstThreads new threads; for the rest a growth thread
// doubles the pool whenever no thread took a task for kStall, so thousands of short starts reuse
// a few hundred threads. Threads are kept until the engine goes; the engine bounds concurrency.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace novacron::lifecycle::internal {

class WorkerPool {
 public:
  static constexpr int kBurstThreads = 256;
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
  // Threads are created outside the lock (that takes a while), so AddWorkers only books them.
  static std::vector<Worker*> AddWorkers(State& state, int at_most);  // under State::mu
  static void StartWorkers(const std::shared_ptr<State>& state,
                           const std::vector<Worker*>& workers);

  std::shared_ptr<State> state_;
};

}  // namespace novacron::lifecycle::internal
