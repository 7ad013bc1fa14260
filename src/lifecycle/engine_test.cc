// The engine's boot: ordering, the error policy (docs/architecture.md), checkpoints, reports and health.
#include "lifecycle/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lifecycle/testing/harness.h"
#include "lifecycle/testing/spec_graph.h"

namespace novacron::lifecycle {
namespace {

using ::testing::ElementsAre;
using testing::FastRetry;
using testing::Gate;
using testing::Harness;
using ::testing::HasSubstr;
using testing::MakeSpec;
using testing::Numbered;
using namespace std::chrono_literals;

constexpr auto kCritical = Criticality::kCritical;
constexpr auto kDegraded = Criticality::kDegraded;
constexpr auto kOptional = Criticality::kOptional;

ComponentSpec WithRetry(ComponentSpec s, RetryPolicy p) {
  s.retry = p;
  return s;
}

TEST(EngineTest, BootsAndStopsTheSpecGraph) {
  Harness h;
  for (ComponentSpec& s : testing::SpecGraph()) h.Add(std::move(s));
  Engine& engine = h.Build();
  EXPECT_FALSE(engine.Ready());
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok()) << boot.status.ToString();
  EXPECT_FALSE(boot.degraded);
  EXPECT_TRUE(engine.Ready());
  EXPECT_TRUE(engine.Live());
  EXPECT_TRUE(engine.StartupComplete());
  ASSERT_EQ(boot.components.size(), 15u);
  EXPECT_EQ(boot.Find("ml engine")->state, ComponentState::kLazy);
  EXPECT_EQ(boot.Find("api")->state, ComponentState::kRunning);
  EXPECT_EQ(boot.Find("api")->attempts, 1);
  // Every component started after its dependencies were up.
  for (const ComponentOutcome& o : boot.components) {
    if (o.state != ComponentState::kRunning) continue;
    for (const std::string& dep :
         engine.graph().spec(*engine.graph().IndexOf(o.name)).dependencies) {
      EXPECT_LE(*boot.Find(dep)->finished, *o.started) << o.name << " after " << dep;
    }
  }
  std::vector<Checkpoint> reached;
  for (const CheckpointTime& c : boot.checkpoints) reached.push_back(c.checkpoint);
  EXPECT_THAT(reached, ElementsAre(Checkpoint::kInitStart, Checkpoint::kPreInitComplete,
                                   Checkpoint::kCoreInitComplete, Checkpoint::kServiceInitComplete,
                                   Checkpoint::kInitComplete));
  ASSERT_EQ(boot.phases.size(), 3u);  // no post-init component
  EXPECT_EQ(boot.phases[0].phase, Phase::kPreInit);
  EXPECT_LE(boot.phases[0].started, boot.phases[1].started);

  StopReport stop = engine.Stop();
  EXPECT_TRUE(stop.status.ok()) << stop.status.ToString();
  EXPECT_EQ(stop.components.size(), 14u);
  EXPECT_LT(h.trace->IndexOf("stopped:api"), h.trace->IndexOf("stop:orchestrator"));
  EXPECT_LT(h.trace->IndexOf("stopped:logger"), h.trace->IndexOf("stop:config"));
  EXPECT_EQ(h.trace->IndexOf("start:ml engine"), -1);
  EXPECT_FALSE(engine.Ready());
}

TEST(EngineTest, CriticalFailureRollsBackInReverseOrder) {
  Harness h;
  h.Add(MakeSpec("a"));
  h.Add(MakeSpec("b", {"a"}));
  h.Add(MakeSpec("c", {"b"}), [](StartContext&) { return Unavailable("disk full"); });
  h.Add(MakeSpec("d", {"a"}));
  Engine& engine = h.Build({.strategy = Strategy::kSequential});
  BootReport boot = engine.Start();
  ASSERT_FALSE(boot.status.ok());
  EXPECT_EQ(boot.status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(boot.status.ToString(), "component 'c' (critical) failed to start: disk full");
  EXPECT_THAT(h.trace->events(),
              ElementsAre("start:a", "started:a", "start:b", "started:b", "start:c",
                          "start-failed:c", "stop:b", "stopped:b", "stop:a", "stopped:a"));
  EXPECT_EQ(boot.Find("c")->state, ComponentState::kFailed);
  EXPECT_EQ(boot.Find("d")->state, ComponentState::kBlocked);
  EXPECT_EQ(boot.Find("a")->state, ComponentState::kStopped);
  EXPECT_FALSE(engine.Live());
  EXPECT_FALSE(engine.Ready());
  // Rolled back already: Stop has nothing left to do.
  EXPECT_TRUE(engine.Stop().components.empty());
}

TEST(EngineTest, CriticalFailureCancelsInFlightStarts) {
  Harness h;
  std::atomic<bool> cancelled{false};
  h.Add(MakeSpec("config"));
  auto logger = h.Add(MakeSpec("logger", {"config"}));
  h.Add(MakeSpec("db", {"config"}), [](StartContext&) { return Unavailable("disk full"); });
  auto cache = h.Add(MakeSpec("cache", {"config"}, kDegraded), [&](StartContext& ctx) {
    cancelled = testing::WaitForStopRequest(ctx.stop_token(), 30s);
    return Cancelled("cache: start cancelled");
  });
  auto api = h.Add(MakeSpec("api", {"db", "cache"}));
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  EXPECT_EQ(boot.status.ToString(), "component 'db' (critical) failed to start: disk full");
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(cache->starts(), 1);  // cancelled, not retried
  EXPECT_EQ(cache->stops(), 0);
  EXPECT_EQ(api->starts(), 0);
  EXPECT_EQ(logger->stops(), logger->starts());
  EXPECT_LT(h.trace->IndexOf("stopped:logger"), h.trace->IndexOf("stop:config"));
  EXPECT_EQ(h.trace->Count("stopped:config"), 1);
  EXPECT_EQ(boot.Find("api")->state, ComponentState::kBlocked);
}

TEST(EngineTest, DegradedComponentIsRetriedWithBackoff) {
  Harness h;
  h.Add(MakeSpec("config"));
  std::atomic<int> calls{0};
  auto cache = h.Add(WithRetry(MakeSpec("cache", {"config"}, kDegraded), FastRetry()),
                     [&](StartContext& ctx) {
                       EXPECT_EQ(ctx.attempt(), calls + 1);
                       return ++calls < 3 ? Unavailable("redis: connection refused") : Status::Ok();
                     });
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok()) << boot.status.ToString();
  EXPECT_FALSE(boot.degraded);
  EXPECT_EQ(cache->starts(), 3);
  EXPECT_EQ(boot.Find("cache")->attempts, 3);
  EXPECT_THAT(h.Lines("attempt-failed:"),
              ElementsAre("attempt-failed:cache#1 retry=1ms", "attempt-failed:cache#2 retry=2ms"));
  EXPECT_THAT(h.Lines("started:cache"), ElementsAre("started:cache#3"));
}

TEST(EngineTest, DegradedComponentFailingForGoodLeavesTheSystemDegraded) {
  Harness h;
  h.Add(MakeSpec("config"));
  auto cache = h.Add(WithRetry(MakeSpec("cache", {"config"}, kDegraded), FastRetry()),
                     [](StartContext&) { return Unavailable("redis: connection refused"); });
  h.Add(MakeSpec("api", {"config"}));
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok()) << boot.status.ToString();
  EXPECT_TRUE(boot.degraded);
  EXPECT_TRUE(engine.Degraded());
  EXPECT_TRUE(engine.Ready());  // every critical component runs
  EXPECT_EQ(cache->starts(), 3);
  EXPECT_EQ(boot.Find("cache")->state, ComponentState::kFailed);
  EXPECT_EQ(boot.Find("cache")->error.message(), "redis: connection refused");
  EXPECT_THAT(h.Lines("failed:"), ElementsAre("failed:cache"));
  EXPECT_EQ(h.Lines("attempt-failed:").size(), 3u);
  EXPECT_EQ(h.Lines("attempt-failed:").back(), "attempt-failed:cache#3");  // no retry after
}

TEST(EngineTest, SpecRetryPolicyIsTheDefaultForDegraded) {
  Harness h;
  h.Add(MakeSpec("cache", {}, kDegraded), [](StartContext&) { return Unavailable("down"); });
  Engine& engine = h.Build({.seed = 1});
  // Cancel after the first failure: the observer shows the retry delay (about 1 s) without the test
  // having to wait for it.
  std::thread canceller([&] {
    testing::Eventually([&] { return !h.Lines("attempt-failed:cache#1").empty(); });
    engine.CancelBoot();
  });
  BootReport boot = engine.Start();
  canceller.join();
  EXPECT_EQ(boot.status.code(), ErrorCode::kCancelled);
  const auto retries = h.Lines("attempt-failed:cache#1");
  ASSERT_EQ(retries.size(), 1u);
  const int ms = std::stoi(retries[0].substr(retries[0].find("retry=") + 6));
  EXPECT_GE(ms, 900);
  EXPECT_LE(ms, 1100);
  EXPECT_EQ(boot.Find("cache")->attempts, 1);
}

TEST(EngineTest, NonRetriableErrorIsNotRetried) {
  Harness h;
  auto cache = h.Add(WithRetry(MakeSpec("cache", {}, kDegraded), FastRetry()),
                     [](StartContext&) { return InvalidArgument("cache.ttl: must be positive"); });
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok());
  EXPECT_TRUE(boot.degraded);
  EXPECT_EQ(cache->starts(), 1);
  EXPECT_THAT(h.Lines("attempt-failed:"), ElementsAre("attempt-failed:cache#1"));
}

TEST(EngineTest, OptionalFailureIsReportedAndTheBootContinues) {
  Harness h;
  h.Add(MakeSpec("network"));
  auto monitoring = h.Add(MakeSpec("monitoring", {"network"}, kOptional),
                          [](StartContext&) { return Unavailable("tracing endpoint down"); });
  auto api = h.Add(MakeSpec("api", {"network"}));
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok());
  EXPECT_FALSE(boot.degraded);
  EXPECT_EQ(monitoring->starts(), 1);
  EXPECT_EQ(api->starts(), 1);
  EXPECT_EQ(boot.Find("monitoring")->state, ComponentState::kFailed);
  EXPECT_THAT(h.Lines("failed:"), ElementsAre("failed:monitoring"));
  EXPECT_TRUE(engine.Ready());
}

TEST(EngineTest, DependentsOfAFailedComponentAreBlocked) {
  Harness h;
  h.Add(MakeSpec("config"));
  h.Add(MakeSpec("cache", {"config"}, kDegraded),
        [](StartContext&) { return InvalidArgument("bad redis url"); });
  auto orchestrator = h.Add(MakeSpec("orchestrator", {"cache"}, kDegraded));
  auto monitoring = h.Add(MakeSpec("monitoring", {"orchestrator"}, kOptional));
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok());
  EXPECT_TRUE(boot.degraded);
  EXPECT_EQ(orchestrator->starts(), 0);
  EXPECT_EQ(monitoring->starts(), 0);
  const ComponentOutcome* o = boot.Find("orchestrator");
  EXPECT_EQ(o->state, ComponentState::kBlocked);
  EXPECT_EQ(o->error.message(), "blocked: dependency 'cache' failed");
  EXPECT_EQ(o->error.ToString(), "blocked: dependency 'cache' failed: bad redis url");
  EXPECT_EQ(boot.Find("monitoring")->error.message(),
            "blocked: dependency 'orchestrator' is blocked");
  EXPECT_THAT(h.Lines("blocked:"),
              ElementsAre("blocked:orchestrator by cache", "blocked:monitoring by orchestrator"));
}

TEST(EngineTest, BlockedCriticalComponentFailsTheBoot) {
  Harness h;
  h.Add(MakeSpec("cache", {}, kDegraded), [](StartContext&) { return Internal("oom"); });
  h.Add(MakeSpec("api", {"cache"}));
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  EXPECT_EQ(boot.status.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(boot.status.ToString(),
            "component 'api' (critical) not started: blocked: dependency 'cache' failed: oom");
}

TEST(EngineTest, EagerStartsADependentBeforeAnUnrelatedSlowComponentFinishes) {
  // a is slow and only finishes once c started; c needs only the fast b. A level barrier would
  // hold c until a finished, and a would give up after 10 s.
  Harness h;
  Gate c_started;
  h.Add(MakeSpec("a"), [&](StartContext&) {
    return c_started.Wait(10s) ? Status::Ok() : Internal("c did not start while a was running");
  });
  h.Add(MakeSpec("b"));
  h.Add(MakeSpec("c", {"b"}), [&](StartContext&) {
    c_started.Open();
    return Status::Ok();
  });
  Engine& engine = h.Build({.strategy = Strategy::kEager});
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok()) << boot.status.ToString();
  EXPECT_LT(h.trace->IndexOf("start:c"), h.trace->IndexOf("started:a"));
}

TEST(EngineTest, LevelsWaitForTheWholeLevel) {
  Harness h;
  h.Add(MakeSpec("a"), [](StartContext&) {
    std::this_thread::sleep_for(5ms);
    return Status::Ok();
  });
  h.Add(MakeSpec("b"));
  h.Add(MakeSpec("c", {"b"}));
  h.Add(MakeSpec("d", {"c"}));
  Engine& engine = h.Build({.strategy = Strategy::kLevels});
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_LT(h.trace->IndexOf("started:a"), h.trace->IndexOf("start:c"));
  EXPECT_LT(h.trace->IndexOf("started:c"), h.trace->IndexOf("start:d"));
}

TEST(EngineTest, PhasesAreLabelsNotBarriersAndCheckpointsStayInOrder) {
  Harness h;
  Gate core_started;
  h.Add(MakeSpec("slow-pre", {}, kCritical, Phase::kPreInit), [&](StartContext&) {
    return core_started.Wait(10s) ? Status::Ok() : Internal("core waited for pre-init");
  });
  h.Add(MakeSpec("core", {}, kCritical, Phase::kCore), [&](StartContext&) {
    core_started.Open();
    return Status::Ok();
  });
  h.Add(MakeSpec("post", {"core"}, kCritical, Phase::kPostInit));
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  ASSERT_TRUE(boot.status.ok()) << boot.status.ToString();
  EXPECT_THAT(h.Lines("checkpoint:"),
              ElementsAre("checkpoint:init_start", "checkpoint:pre_init_complete",
                          "checkpoint:core_init_complete", "checkpoint:service_init_complete",
                          "checkpoint:init_complete"));
  EXPECT_LT(h.trace->IndexOf("start:core"), h.trace->IndexOf("started:slow-pre"));
  ASSERT_EQ(boot.phases.size(), 3u);
  EXPECT_EQ(boot.phases[2].phase, Phase::kPostInit);
  EXPECT_LT(boot.phases[1].started, boot.phases[0].finished);  // core began during pre-init
}

TEST(EngineTest, BoundedConcurrencyIsNeverExceeded) {
  Harness h;
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
  int most = 0;
  for (int i = 0; i < 21; ++i) {
    h.Add(MakeSpec(Numbered("c", i)), [&](StartContext&) {
      std::unique_lock lock(mu);
      most = std::max(most, ++running);
      cv.notify_all();
      // Hold the slot until the bound was reached once, so the test sees it is actually used.
      cv.wait_for(lock, 10s, [&] { return most >= 3; });
      --running;
      return Status::Ok();
    });
  }
  Engine& engine = h.Build({.max_concurrency = 3});
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_EQ(most, 3);
  ASSERT_TRUE(engine.Stop().status.ok());
}

TEST(EngineTest, SequentialRunsOneAtATimeInTopologicalOrder) {
  Harness h;
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  auto body = [&](StartContext&) {
    most = std::max(most.load(), ++running);
    std::this_thread::sleep_for(1ms);
    --running;
    return Status::Ok();
  };
  for (ComponentSpec& s : testing::SpecGraph(false)) h.Add(std::move(s), body);
  Engine& engine = h.Build({.strategy = Strategy::kSequential});
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_EQ(most, 1);
  std::vector<std::string> starts;
  for (const std::string& e : h.trace->events()) {
    if (e.rfind("start:", 0) == 0) starts.push_back(e.substr(6));
  }
  std::vector<std::string> topo;
  for (std::size_t i : engine.graph().TopologicalOrder())
    topo.push_back(engine.graph().spec(i).name);
  EXPECT_EQ(starts, topo);
}

TEST(EngineTest, CancelBootRollsBack) {
  Harness h;
  auto root = h.Add(MakeSpec("root"));
  h.Add(MakeSpec("slow", {"root"}), [](StartContext& ctx) {
    testing::WaitForStopRequest(ctx.stop_token(), 30s);
    return Cancelled("interrupted");
  });
  Engine& engine = h.Build();
  std::thread canceller([&] {
    testing::Eventually([&] { return h.trace->IndexOf("start:slow") >= 0; });
    engine.CancelBoot();
  });
  BootReport boot = engine.Start();
  canceller.join();
  EXPECT_EQ(boot.status.code(), ErrorCode::kCancelled);
  EXPECT_EQ(boot.status.message(), "boot cancelled");
  EXPECT_EQ(root->stops(), 1);
  EXPECT_TRUE(boot.checkpoints.size() < 5u);  // no init_complete
}

TEST(EngineTest, StopDuringBootCancelsItAndRollsBack) {
  Harness h;
  auto root = h.Add(MakeSpec("root"));
  h.Add(MakeSpec("slow", {"root"}), [](StartContext& ctx) {
    testing::WaitForStopRequest(ctx.stop_token(), 30s);
    return Cancelled("interrupted");
  });
  Engine& engine = h.Build();
  StopReport stop;
  std::thread stopper([&] {
    testing::Eventually([&] { return h.trace->IndexOf("start:slow") >= 0; });
    stop = engine.Stop(30s);
  });
  BootReport boot = engine.Start();
  stopper.join();
  EXPECT_EQ(boot.status.code(), ErrorCode::kCancelled);
  EXPECT_TRUE(stop.status.ok()) << stop.status.ToString();
  EXPECT_EQ(root->stops(), 1);
}

struct Database : Component {
  static constexpr std::string_view kName = "database";
  Database() : Component(MakeSpec("database")) {}
  Status Start(StartContext&) override { return Status::Ok(); }
  Status Stop(StopContext&) override { return Status::Ok(); }
  int schema_version() const { return 7; }
};

TEST(EngineTest, TypedDependencyAccess) {
  Harness h;
  h.components.push_back(std::make_shared<Database>());
  int seen = 0;
  h.Add(MakeSpec("api", {"database"}), [&](StartContext& ctx) {
    seen = ctx.Dep<Database>().schema_version();
    return Status::Ok();
  });
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_EQ(seen, 7);
  ASSERT_NE(engine.Get<Database>(), nullptr);
  EXPECT_EQ(engine.Get<Database>()->schema_version(), 7);
}

TEST(EngineTest, UndeclaredDependencyIsAProgrammingErrorNamingBoth) {
  Harness h;
  h.components.push_back(std::make_shared<Database>());
  h.Add(MakeSpec("api"), [](StartContext& ctx) {
    (void)ctx.Dep<Database>();
    return Status::Ok();
  });
  Engine& engine = h.Build();
  BootReport boot = engine.Start();
  EXPECT_EQ(boot.status.code(), ErrorCode::kInternal);
  EXPECT_THAT(boot.status.ToString(),
              HasSubstr("component 'api' asked for 'database', which is not one of its declared "
                        "dependencies"));
}

TEST(EngineTest, HealthDrivesReadinessAndSnapshot) {
  Harness h;
  auto db = h.Add(MakeSpec("db"));
  h.Add(MakeSpec("ml", {"db"}, kOptional));
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_TRUE(engine.Ready());
  db->SetHealth(HealthReport::Degraded("replica lagging"));
  EXPECT_TRUE(engine.Ready());  // degraded still serves
  db->SetHealth(HealthReport::Unhealthy("disk read-only"));
  EXPECT_FALSE(engine.Ready());
  EngineSnapshot snap = engine.Snapshot();
  EXPECT_FALSE(snap.ready);
  EXPECT_TRUE(snap.live);
  EXPECT_TRUE(snap.startup_complete);
  ASSERT_EQ(snap.components.size(), 2u);
  EXPECT_EQ(snap.components[0].name, "db");
  EXPECT_EQ(snap.components[0].state, ComponentState::kRunning);
  EXPECT_EQ(snap.components[0].health.detail, "disk read-only");
  EXPECT_EQ(snap.components[1].dependencies, std::vector<std::string>{"db"});
  EXPECT_EQ(snap.components[1].attempts, 1);
  EXPECT_TRUE(snap.components[1].started_at.has_value());
}

TEST(EngineTest, StartRunsOnce) {
  Harness h;
  h.Add(MakeSpec("a"));
  Engine& engine = h.Build();
  ASSERT_TRUE(engine.Start().status.ok());
  EXPECT_EQ(engine.Start().status.code(), ErrorCode::kFailedPrecondition);
}

TEST(EngineTest, CreateRejectsBadInput) {
  auto trace = std::make_shared<testing::Trace>();
  auto a = std::make_shared<testing::FakeComponent>(MakeSpec("a", {"b"}), trace);
  EXPECT_EQ(Engine::Create({a}).status().message(), "component 'a' depends on unknown 'b'");
  EXPECT_FALSE(Engine::Create({nullptr}).ok());
  auto c = std::make_shared<testing::FakeComponent>(
      WithRetry(MakeSpec("c"), RetryPolicy{.max_attempts = 0}), trace);
  EXPECT_THAT(Engine::Create({c}).status().ToString(), HasSubstr("component 'c'"));
  EXPECT_FALSE(Engine::Create({}, {.max_concurrency = -1}).ok());
  EXPECT_TRUE(ParseStrategy("levels").ok());
  EXPECT_EQ(StrategyName(*ParseStrategy("eager")), "eager");
  EXPECT_FALSE(ParseStrategy("fast").ok());
}

}  // namespace
}  // namespace novacron::lifecycle
