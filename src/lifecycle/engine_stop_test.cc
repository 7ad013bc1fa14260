// The engine's timeouts, stop and lazy starts: nothing hangs, nothing is left running.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lifecycle/engine.h"
#include "lifecycle/testing/harness.h"

namespace novacron::lifecycle {
namespace {

using ::testing::ElementsAre;
using testing::Eventually;
using testing::FastRetry;
using testing::Gate;
using testing::Harness;
using ::testing::HasSubstr;
using testing::MakeSpec;
using namespace std::chrono_literals;

ComponentSpec WithTimeouts(ComponentSpec s, std::chrono::milliseconds start,
                           std::chrono::milliseconds stop) {
  s.start_timeout = start;
  s.stop_timeout = stop;
  return s;
}

TEST(EngineTimeoutTest, StartTimeoutIsAFailureAndCancelsTheAttempt) {
  Harness h;
  std::atomic<bool> asked_to_stop{false};
  h.Add(WithTimeouts(MakeSpec("db"), 50ms, 0ms), [&](StartContext& ctx) {
    asked_to_stop = testing::WaitForStopRequest(ctx.stop_token(), 30s);
    return Cancelled("db: gave up");
  });
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  EXPECT_EQ(boot.status.code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(boot.status.ToString(),
            "component 'db' (critical) failed to start: component 'db' did not start within 50 "
            "ms (attempt 1)");
  EXPECT_TRUE(Eventually([&] { return asked_to_stop.load(); }));
}

TEST(EngineTimeoutTest, TimedOutAttemptIsRetriedOnlyAfterItReturned) {
  Harness h;
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  auto cache = h.Add(
      [] {
        ComponentSpec s = WithTimeouts(MakeSpec("cache", {}, Criticality::kDegraded), 30ms, 0ms);
        s.retry = FastRetry();
        return s;
      }(),
      [&](StartContext& ctx) {
        most_inside = std::max(most_inside.load(), ++inside);
        Status s = Status::Ok();
        if (ctx.attempt() == 1) {
          testing::WaitForStopRequest(ctx.stop_token(), 30s);
          std::this_thread::sleep_for(5ms);  // returns late, after the retry was due
          s = Cancelled("interrupted");
        }
        --inside;
        return s;
      });
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok()) << boot.status.ToString();
  EXPECT_FALSE(boot.degraded);
  EXPECT_EQ(cache->starts(), 2);
  EXPECT_EQ(most_inside, 1);  // never two starts of one component at once
  EXPECT_THAT(h.Lines("late-start:"), ElementsAre("late-start:cache#1 error cleaned"));
  EXPECT_THAT(h.Lines("started:"), ElementsAre("started:cache#2"));
}

TEST(EngineTimeoutTest, HungStartDoesNotHangTheBootAndIsStoppedWhenItReturns) {
  Harness h;
  auto release = std::make_shared<Gate>();
  auto cache = h.Add(
      [] {
        ComponentSpec s = WithTimeouts(MakeSpec("cache", {}, Criticality::kDegraded), 30ms, 0ms);
        s.retry = FastRetry();
        return s;
      }(),
      [release](StartContext&) {
        release->Wait(30s);  // ignores its stop token
        return Status::Ok();
      });
  h.Add(MakeSpec("api"));
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok()) << boot.status.ToString();
  EXPECT_TRUE(boot.degraded);
  EXPECT_EQ(cache->starts(), 1);
  EXPECT_THAT(boot.Find("cache")->error.ToString(),
              HasSubstr("was not retried: attempt 1 timed out and did not return when cancelled"));
  EXPECT_EQ(cache->stops(), 0);
  release->Open();
  // It succeeded after all: the engine stops it rather than leave it running unseen.
  EXPECT_TRUE(Eventually([&] { return cache->stops() == 1; }));
  EXPECT_TRUE(Eventually([&] { return !h.Lines("late-start:").empty(); }));
  EXPECT_THAT(h.Lines("late-start:"), ElementsAre("late-start:cache#1 ok cleaned"));
  EXPECT_EQ(engine.Snapshot().components[0].state, ComponentState::kFailed);
}

TEST(EngineStopTest, StopTimeoutIsAbandonedAndReported) {
  Harness h;
  auto release = std::make_shared<Gate>();
  auto db = h.Add(MakeSpec("db"));
  h.Add(WithTimeouts(MakeSpec("api", {"db"}), 0ms, 50ms), nullptr, [release](StopContext&) {
    release->Wait(30s);
    return Status::Ok();
  });
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  StopReport stop = engine.Stop();
  EXPECT_EQ(stop.status.code(), ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(stop.status.ToString(), HasSubstr("component 'api' did not stop within 50 ms"));
  ASSERT_NE(stop.Find("api"), nullptr);
  EXPECT_EQ(stop.Find("api")->state, ComponentState::kFailed);
  EXPECT_EQ(stop.Find("db")->state, ComponentState::kStopped);
  EXPECT_EQ(db->stops(), 1);
  EXPECT_THAT(h.Lines("stop"),
              ElementsAre("stopping:api", "stop-failed:api", "stopping:db", "stopped:db"));
  release->Open();
  EXPECT_TRUE(Eventually([&] { return h.trace->Count("stopped:api") == 1; }));
}

TEST(EngineStopTest, OverallDeadlineBoundsTheWholeStop) {
  Harness h;
  auto release = std::make_shared<Gate>();
  auto db = h.Add(MakeSpec("db"));
  h.Add(WithTimeouts(MakeSpec("api", {"db"}), 0ms, 60'000ms), nullptr, [release](StopContext&) {
    release->Wait(30s);
    return Status::Ok();
  });
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  StopReport stop = engine.Stop(100ms);
  EXPECT_EQ(stop.status.code(), ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(stop.Find("api")->error.message(), HasSubstr("stop abandoned"));
  EXPECT_THAT(stop.Find("db")->error.message(), HasSubstr("not stopped"));
  EXPECT_EQ(db->stops(), 0);
  EXPECT_FALSE(engine.Live());
  release->Open();
  EXPECT_TRUE(Eventually([&] { return h.trace->Count("stopped:api") == 1; }));
}

TEST(EngineStopTest, StopIsTheMirrorOfStartAndRunsIndependentStopsInParallel) {
  Harness h;
  Gate b_stopping;
  h.Add(MakeSpec("root"));
  // a and b are independent: a's stop waits until b's began, which only parallel stops allow.
  h.Add(MakeSpec("a", {"root"}), nullptr, [&](StopContext&) {
    return b_stopping.Wait(10s) ? Status::Ok() : Internal("b did not stop in parallel");
  });
  h.Add(MakeSpec("b", {"root"}), nullptr, [&](StopContext&) {
    b_stopping.Open();
    return Status::Ok();
  });
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  StopReport stop = engine.Stop();
  ASSERT_TRUE(stop.status.ok()) << stop.status.ToString();
  EXPECT_LT(h.trace->IndexOf("stopped:a"), h.trace->IndexOf("stop:root"));
  EXPECT_LT(h.trace->IndexOf("stopped:b"), h.trace->IndexOf("stop:root"));
  EXPECT_EQ(stop.components.back().name, "root");
}

TEST(EngineStopTest, DestructorStopsWhatRuns) {
  auto trace = std::make_shared<testing::Trace>();
  auto a = std::make_shared<testing::FakeComponent>(MakeSpec("a"), trace);
  {
    Result<std::unique_ptr<Engine>> engine = Engine::Create({a});
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->Start().status.ok());
  }
  EXPECT_EQ(a->stops(), 1);
}

TEST(EngineLazyTest, LazyComponentStartsOnceUnderConcurrentFirstUse) {
  Harness h;
  h.Add(MakeSpec("db"));
  auto ml = h.Add(
      [] {
        ComponentSpec s = MakeSpec("ml", {"db"}, Criticality::kOptional);
        s.lazy = true;
        return s;
      }(),
      [](StartContext&) {
        std::this_thread::sleep_for(20ms);  // widen the window for the racing callers
        return Status::Ok();
      });
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_EQ(ml->starts(), 0);
  EXPECT_EQ(engine.Snapshot().components[1].state, ComponentState::kLazy);
  EXPECT_TRUE(engine.Ready());

  std::vector<std::thread> users;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    users.emplace_back([&] { ok += engine.EnsureStarted("ml").ok() ? 1 : 0; });
  }
  for (auto& t : users) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(ml->starts(), 1);
  EXPECT_EQ(engine.Snapshot().components[1].state, ComponentState::kRunning);
  EXPECT_TRUE(engine.EnsureStarted("ml").ok());
  EXPECT_EQ(ml->starts(), 1);

  ASSERT_TRUE(engine.Stop().status.ok());
  EXPECT_LT(h.trace->IndexOf("stopped:ml"), h.trace->IndexOf("stop:db"));
}

TEST(EngineLazyTest, LazyDependenciesStartFirstAndEagerNeedsOverrideLaziness) {
  Harness h;
  auto lazy = [](ComponentSpec s) {
    s.lazy = true;
    return s;
  };
  h.Add(MakeSpec("db"));
  auto model = h.Add(lazy(MakeSpec("model", {"db"})));
  auto ml = h.Add(lazy(MakeSpec("ml", {"model"})));
  auto index = h.Add(lazy(MakeSpec("index", {"db"})));
  auto search = h.Add(MakeSpec("search", {"index"}));  // eager: index must start at boot
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_EQ(index->starts(), 1);
  EXPECT_EQ(search->starts(), 1);
  EXPECT_EQ(model->starts(), 0);
  ASSERT_TRUE(engine.EnsureStarted("ml").ok());
  EXPECT_LT(h.trace->IndexOf("started:model"), h.trace->IndexOf("start:ml"));
  EXPECT_EQ(engine.EnsureStarted("nope").code(), ErrorCode::kNotFound);
}

TEST(EngineLazyTest, LazyStartReportsWhyItCannotRun) {
  Harness h;
  h.Add(MakeSpec("cache", {}, Criticality::kDegraded),
        [](StartContext&) { return InvalidArgument("bad url"); });
  auto ml = h.Add([] {
    ComponentSpec s = MakeSpec("ml", {"cache"}, Criticality::kOptional);
    s.lazy = true;
    return s;
  }());
  Engine& engine = h.Build();
  EXPECT_EQ(engine.EnsureStarted("ml").code(), ErrorCode::kFailedPrecondition);  // not booted
  ASSERT_TRUE(engine.Start().status.ok());
  Status s = engine.EnsureStarted("ml");
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(s.ToString(),
            "component 'ml' did not start: blocked: dependency 'cache' failed: bad url");
  EXPECT_EQ(ml->starts(), 0);
  (void)engine.Stop();
  EXPECT_EQ(engine.EnsureStarted("ml").code(), ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace novacron::lifecycle
