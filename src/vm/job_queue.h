// A small pool of worker threads for the VM manager: each VM's lane of operations runs as one
// job (so a VM's operations never run in parallel), and events are settled off the driver's
// event thread. FIFO; Shutdown() drains what was queued, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace novacron::vm {

class JobQueue {
 public:
  explicit JobQueue(int threads);
  ~JobQueue();  // Shutdown()
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // False (and the job is dropped) once Shutdown began.
  bool Post(std::function<void()> job);
  // Blocks until the queue is empty and no job runs (for tests and orderly stops).
  void Drain();
  void Shutdown();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  int running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace novacron::vm
