#include "lifecycle/worker_pool.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "lifecycle/clock.h"

namespace novacron::lifecycle::internal {

struct WorkerPool::Worker {
  std::thread thread;
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
  int starting = 0;  // created, not yet waiting for work: about to be idle
  int created = 0;
  bool shutdown = false;
  Clock::time_point last_progress{};  // when a task was last queued or taken

  // More queued tasks than threads about to take them.
  bool Starved() const { return static_cast<std::size_t>(idle + starting) < queue.size(); }
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
    for (int n = state->created; n > 0 && state->Starved(); --n) Spawn(state);
  }
}

void WorkerPool::Spawn(const std::shared_ptr<State>& state) {
  auto worker = std::make_unique<Worker>();
  worker->thread = std::thread(WorkerLoop, state, worker.get());
  state->workers.push_back(std::move(worker));
  ++state->created;
  ++state->starting;
}

WorkerPool::WorkerPool() : state_(std::make_shared<State>()) {}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::Submit(std::vector<std::function<void()>> tasks) {
  if (tasks.empty()) return;
  std::lock_guard lock(state_->mu);
  if (state_->shutdown) return;
  for (auto& task : tasks) state_->queue.push_back(std::move(task));
  state_->last_progress = Clock::now();  // the new tasks have not waited yet
  // Idle workers that were notified but did not take their task yet still count as idle.
  const auto ready = static_cast<std::size_t>(state_->idle + state_->starting);
  const std::size_t wake = std::min(tasks.size(), ready);
  if (wake == tasks.size() && wake == 1) {
    state_->work.notify_one();
  } else if (wake > 0) {
    state_->work.notify_all();
  }
  while (state_->Starved() && state_->created < kFreeThreads) Spawn(state_);
  if (state_->Starved()) {
    if (!state_->grower.joinable()) state_->grower = std::thread(GrowthLoop, state_);
    state_->growth.notify_one();
  }
}

void WorkerPool::Shutdown() {
  std::vector<std::unique_ptr<Worker>> workers;
  std::thread grower;
  {
    std::lock_guard lock(state_->mu);
    state_->shutdown = true;
    workers.swap(state_->workers);
    grower.swap(state_->grower);
  }
  state_->work.notify_all();
  state_->growth.notify_all();
  if (grower.joinable()) {
    if (grower.get_id() == std::this_thread::get_id()) {
      grower.detach();
    } else {
      grower.join();
    }
  }
  for (auto& w : workers) {
    if (!w->thread.joinable()) continue;  // an earlier Shutdown dealt with it
    bool busy;
    {
      std::lock_guard lock(state_->mu);
      busy = w->busy;
    }
    if (busy || w->thread.get_id() == std::this_thread::get_id()) {
      w->thread.detach();
    } else {
      w->thread.join();
    }
  }
  // Detached workers still point at their record: hand the records back to the shared state.
  std::lock_guard lock(state_->mu);
  for (auto& w : workers) state_->workers.push_back(std::move(w));
}

int WorkerPool::threads() const {
  std::lock_guard lock(state_->mu);
  return state_->created;
}

}  // namespace novacron::lifecycle::internal
