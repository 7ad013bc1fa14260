#include "lifecycle/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "lifecycle/testing/fakes.h"

namespace novacron::lifecycle::internal {
namespace {

using namespace std::chrono_literals;

TEST(WorkerPoolTest, RunsEveryTask) {
  WorkerPool pool;
  std::atomic<int> done{0};
  std::vector<std::function<void()>> tasks;
  for (int i = 0; i < 1000; ++i) tasks.push_back([&] { ++done; });
  pool.Submit(std::move(tasks));
  EXPECT_TRUE(testing::Eventually([&] { return done == 1000; }));
}

TEST(WorkerPoolTest, BlockingTasksBeyondABurstStillRunAtOnce) {
  // Each task blocks until all have started: only a pool that grows past kBurstThreads finishes.
  constexpr int kTasks = WorkerPool::kBurstThreads * 3;
  WorkerPool pool;
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  std::atomic<int> completed{0};
  std::vector<std::function<void()>> tasks;
  for (int i = 0; i < kTasks; ++i) {
    tasks.push_back([&] {
      std::unique_lock lock(mu);
      ++started;
      cv.notify_all();
      if (cv.wait_for(lock, 20s, [&] { return started == kTasks; })) ++completed;
    });
  }
  pool.Submit(std::move(tasks));
  EXPECT_TRUE(testing::Eventually([&] { return completed == kTasks; }, 30s));
  EXPECT_GE(pool.threads(), kTasks);
}

TEST(WorkerPoolTest, ShortTasksReuseThreads) {
  constexpr int kTasks = 20'000;
  WorkerPool pool;
  std::atomic<int> done{0};
  std::vector<std::function<void()>> tasks;
  for (int i = 0; i < kTasks; ++i) tasks.push_back([&] { ++done; });
  pool.Submit(std::move(tasks));
  EXPECT_TRUE(testing::Eventually([&] { return done == kTasks; }));
  EXPECT_LT(pool.threads(), kTasks / 4);  // not a thread per task
}

TEST(WorkerPoolTest, ShutdownDoesNotWaitForAStuckTask) {
  auto release = std::make_shared<testing::Gate>();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  {
    WorkerPool pool;
    std::atomic<bool> running{false};
    pool.Submit({[release, finished, &running] {
      running = true;
      release->Wait(30s);
      *finished = true;
    }});
    ASSERT_TRUE(testing::Eventually([&] { return running.load(); }));
    pool.Shutdown();  // returns although the task is stuck
    pool.Submit({[] { FAIL() << "ran after Shutdown"; }});
  }
  EXPECT_FALSE(*finished);
  release->Open();
  EXPECT_TRUE(testing::Eventually([&] { return finished->load(); }));
}

}  // namespace
}  // namespace novacron::lifecycle::internal
