#include "lifecycle/worker_pool.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "lifecycle/clock.h"

namespace novacron::lifecycle::internal {

struct WorkerPool::Worker {
  std::thread thread;  // assigned under State::mu once created
  bool busy = false;
};

struct WorkerPool::State {
  std::mutex mu;
  std::condition_variable work;    // workers wait here
  std::condition_variable growth;  // the growth thread waits here
  std::deque<std::function<void()>> queue;
  // unique_ptr: a worker keeps a pointer to its record while the vector grows.
  std::vector<std::unique_ptr<Worker>> workers;
  std::thread grower;
  int idle = 0;
  int starting = 0;  // booked, not yet waiting for work: about to be idle
  int created = 0;
  bool shutdown = false;
  Clock::time_point last_progress{};  // when a task was last queued or taken

  // More queued tasks than threads about to take them.
  bool Starved() const { return static_cast<std::size_t>(idle + starting) < queue.size(); }
  int Missing() const { return static_cast<int>(queue.size()) - idle - starting; }
};

void WorkerPool::WorkerLoop(std::shared_ptr<State> state, Worker* self) {
  std::unique_lock lock(state->mu);
  --state->starting;
  while (true) {
    ++state->idle;
    state->work.wait(lock, [&] { return !state->queue.empty() || state->shutdown; });
    --state->idle;
    if (state->queue.empty()) return;  // shutdown
    std::function<void()> task = std::move(state->queue.front());
    state->queue.pop_front();
    self->busy = true;
    state->last_progress = Clock::now();
    lock.unlock();
    task();
    task = nullptr;  // release what it captured before waiting for more
    lock.lock();
    self->busy = false;
  }
}

void WorkerPool::GrowthLoop(std::shared_ptr<State> state) {
  std::unique_lock lock(state->mu);
  while (!state->shutdown) {
    state->growth.wait(lock, [&] { return state->Starved() || state->shutdown; });
    // Give the busy threads kStall to come back before deciding they are stuck. Progress is
    // judged by tasks being taken, not by how long one runs: on an oversubscribed machine a
    // runnable thread can wait for a CPU longer than kStall without being blocked.
    state->growth.wait_for(lock, kStall, [&] { return state->shutdown; });
    if (state->shutdown || !state->Starved()) continue;
    if (Clock::now() - state->last_progress < kStall) continue;  // a thread frees up soon
    // At most double the pool per stall, in case the threads were only short of CPU.
    std::vector<Worker*> added = AddWorkers(*state, std::min(state->Missing(), state->created));
    lock.unlock();
    StartWorkers(state, added);
    lock.lock();
  }
}

std::vector<WorkerPool::Worker*> WorkerPool::AddWorkers(State& state, int at_most) {
  std::vector<Worker*> added;
  for (int n = 0; n < at_most; ++n) {
    state.workers.push_back(std::make_unique<Worker>());
    added.push_back(state.workers.back().get());
    ++state.created;
    ++state.starting;
  }
  return added;
}

void WorkerPool::StartWorkers(const std::shared_ptr<State>& state,
                              const std::vector<Worker*>& workers) {
  for (Worker* w : workers) {
    std::thread t;
    try {
      t = std::thread(WorkerLoop, state, w);
    } catch (const std::system_error&) {
      // Out of threads: the queued tasks wait for the threads there are.
      std::lock_guard lock(state->mu);
      --state->starting;
      --state->created;
      std::erase_if(state->workers, [w](const auto& record) { return record.get() == w; });
      continue;
    }
    std::lock_guard lock(state->mu);
    if (state->shutdown) {
      t.detach();  // Shutdown has taken the records already; the thread exits by itself
    } else {
      w->thread = std::move(t);
    }
  }
}

WorkerPool::WorkerPool() : state_(std::make_shared<State>()) {}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::Submit(std::vector<std::function<void()>> tasks) {
  if (tasks.empty()) return;
  std::vector<Worker*> added;
  {
    std::lock_guard lock(state_->mu);
    if (state_->shutdown) return;
    // Idle workers that were notified but did not take their task yet still count as idle.
    const int ready = state_->idle + state_->starting;
    for (auto& task : tasks) state_->queue.push_back(std::move(task));
    state_->last_progress = Clock::now();  // the new tasks have not waited yet
    // One wake-up per task: waking every idle thread for a few tasks makes them all fight for
    // the lock.
    const std::size_t wake = std::min(tasks.size(), static_cast<std::size_t>(std::max(ready, 0)));
    for (std::size_t k = 0; k < wake; ++k) state_->work.notify_one();
    added = AddWorkers(*state_, std::min(state_->Missing(), kBurstThreads));
    if (state_->Starved()) {
      try {
        if (!state_->grower.joinable()) state_->grower = std::thread(GrowthLoop, state_);
      } catch (const std::system_error&) {
        // Out of threads: no growth beyond the burst.
      }
      state_->growth.notify_one();
    }
  }
  StartWorkers(state_, added);
}

void WorkerPool::Shutdown() {
  std::vector<std::pair<std::thread, Worker*>> threads;
  std::thread grower;
  {
    std::lock_guard lock(state_->mu);
    state_->shutdown = true;
    for (auto& w : state_->workers) {
      if (w->thread.joinable()) threads.emplace_back(std::move(w->thread), w.get());
    }
    grower.swap(state_->grower);
  }
  state_->work.notify_all();
  state_->growth.notify_all();
  const auto self = std::this_thread::get_id();
  if (grower.joinable()) {
    grower.get_id() == self ? grower.detach() : grower.join();
  }
  for (auto& [thread, worker] : threads) {
    bool busy;
    {
      std::lock_guard lock(state_->mu);
      busy = worker->busy;
    }
    // A busy worker runs a call the engine abandoned: it must not hang the caller.
    busy || thread.get_id() == self ? thread.detach() : thread.join();
  }
}

int WorkerPool::threads() const {
  std::lock_guard lock(state_->mu);
  return state_->created;
}

}  // namespace novacron::lifecycle::internal
