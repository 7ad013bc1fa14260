// The boot recorder against a real engine and a real SQLite store: logs, boot metrics and the
// persisted timeline, for a degraded component that needs retries and for a failed boot.
#include "daemon/boot_recorder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "lifecycle/engine.h"
#include "observe/log_sink.h"
#include "store/sqlite_state_store.h"

namespace novacron::daemon {
namespace {

namespace fs = std::filesystem;
using lifecycle::ComponentSpec;
using lifecycle::Criticality;

fs::path FreshDir() {
  static std::mt19937_64 rng(std::random_device{}());
  fs::path p = fs::temp_directory_path() / ("novacron-recorder-" + std::to_string(rng()));
  fs::create_directories(p);
  return p;
}

// Opens the real state store on start.
class StoreComponent : public lifecycle::Component {
 public:
  explicit StoreComponent(fs::path dir) : Component(Spec()), dir_(std::move(dir)) {}
  Status Start(lifecycle::StartContext&) override {
    store::SqliteStoreOptions options;
    options.data_dir = dir_;
    auto opened = store::OpenSqliteStateStore(options);
    if (!opened.ok()) return opened.status();
    store_ = std::move(*opened);
    handoff.Publish(store_);
    return {};
  }
  Status Stop(lifecycle::StopContext&) override {
    store_.reset();
    return {};
  }
  std::shared_ptr<store::StateStore> store_;
  components::StoreHandoff handoff;

 private:
  static ComponentSpec Spec() {
    ComponentSpec spec;
    spec.name = "db";
    spec.phase = lifecycle::Phase::kCore;
    return spec;
  }
  fs::path dir_;
};

// Fails its first `failures` attempts with `error` (fault injection).
class FlakyComponent : public lifecycle::Component {
 public:
  FlakyComponent(std::string name, Criticality criticality, int failures, Status error)
      : Component(Spec(std::move(name), criticality)), failures_(failures), error_(error) {}
  Status Start(lifecycle::StartContext& ctx) override {
    return ctx.attempt() <= failures_ ? error_ : Status();
  }
  Status Stop(lifecycle::StopContext&) override { return {}; }

 private:
  static ComponentSpec Spec(std::string name, Criticality criticality) {
    ComponentSpec spec;
    spec.name = std::move(name);
    spec.dependencies = {"db"};
    spec.criticality = criticality;
    lifecycle::RetryPolicy retry;
    retry.max_attempts = 3;
    retry.initial_delay = std::chrono::milliseconds(1);
    spec.retry = retry;
    return spec;
  }
  int failures_;
  Status error_;
};

struct Harness {
  explicit Harness(std::shared_ptr<lifecycle::Component> second) : dir(FreshDir()) {
    observe::LogOptions log_options;
    log_options.sink = sink;
    log_options.format = observe::LogFormat::kJson;
    logs = std::make_unique<components::LogHub>(observe::Logger(log_options));
    db = std::make_shared<StoreComponent>(dir);
    store::BootInfo info;
    info.node_id = "n1";
    info.pid = 1;
    info.version = "t";
    info.strategy = "eager";
    info.started_at = std::chrono::system_clock::now();
    recorder = std::make_unique<BootRecorder>(*logs, metrics, info, "db",
                                              [this] { return db->handoff.Take(); });
    EXPECT_TRUE(recorder->RegisterMetrics().ok());
    lifecycle::EngineOptions options;
    options.observer = recorder.get();
    auto created = lifecycle::Engine::Create({db, std::move(second)}, options);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    engine = std::move(*created);
  }
  ~Harness() { fs::remove_all(dir); }

  std::vector<store::BootRecord> Boots() {
    store::SqliteStoreOptions options;
    options.data_dir = dir;
    auto opened = store::OpenSqliteStateStore(options);
    EXPECT_TRUE(opened.ok());
    auto boots = (*opened)->boots().ListBoots(10);
    EXPECT_TRUE(boots.ok());
    return *boots;
  }
  int LinesWith(const std::string& needle) {
    int n = 0;
    for (const auto& line : sink->Lines()) n += line.find(needle) != std::string::npos;
    return n;
  }

  fs::path dir;
  std::shared_ptr<observe::CapturingSink> sink = std::make_shared<observe::CapturingSink>();
  std::unique_ptr<components::LogHub> logs;
  observe::Registry metrics;
  std::shared_ptr<StoreComponent> db;
  std::unique_ptr<BootRecorder> recorder;
  std::unique_ptr<lifecycle::Engine> engine;
};

TEST(BootRecorderTest, DegradedComponentRetriedTwiceIsCountedLoggedAndPersisted) {
  Harness h(std::make_shared<FlakyComponent>("flaky", Criticality::kDegraded, 2,
                                             Unavailable("connection refused")));
  lifecycle::BootReport report = h.engine->Start();
  ASSERT_TRUE(report.status.ok()) << report.status.ToString();
  h.recorder->Finish(report);

  std::string metrics = h.metrics.Render();
  EXPECT_NE(metrics.find("novacron_component_retry_attempts_total{component=\"flaky\"} 2"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("novacron_component_init_failures_total{component=\"flaky\","
                         "error_type=\"unavailable\"} 2"),
            std::string::npos);
  EXPECT_NE(metrics.find("novacron_component_init_success_total{component=\"flaky\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("novacron_components_initialized_total 2"), std::string::npos);
  EXPECT_EQ(h.LinesWith("component start failed; retrying"), 2);

  h.recorder->RecordShutdown();
  h.engine->Stop();
  auto boots = h.Boots();
  ASSERT_EQ(boots.size(), 1u);
  EXPECT_EQ(boots[0].state, store::BootState::kReady);
  ASSERT_TRUE(boots[0].shutdown.has_value());
  EXPECT_TRUE(boots[0].shutdown->clean);
  bool found = false;
  for (const auto& c : boots[0].components) {
    if (c.name != "flaky") continue;
    found = true;
    EXPECT_EQ(c.attempts, 3);
    EXPECT_EQ(c.state, "started");
    EXPECT_EQ(c.criticality, "degraded");
    EXPECT_EQ(c.dependencies, std::vector<std::string>{"db"});
    ASSERT_TRUE(c.start_offset && c.end_offset);
    EXPECT_LE(*c.start_offset, *c.end_offset);
  }
  EXPECT_TRUE(found);
  ASSERT_FALSE(boots[0].checkpoints.empty());
  EXPECT_EQ(boots[0].checkpoints.back().name, "init_complete");
}

TEST(BootRecorderTest, FailedBootIsRecordedAfterTheStoreWasRolledBack) {
  Harness h(std::make_shared<FlakyComponent>("broken", Criticality::kCritical, 99,
                                             Internal("disk on fire")));
  lifecycle::BootReport report = h.engine->Start();
  ASSERT_FALSE(report.status.ok());
  h.recorder->Finish(report);  // the db component is already stopped: the recorder kept it open
  h.recorder.reset();          // flushes
  auto boots = h.Boots();
  ASSERT_EQ(boots.size(), 1u);
  EXPECT_EQ(boots[0].state, store::BootState::kFailed);
  EXPECT_NE(boots[0].error.find("disk on fire"), std::string::npos) << boots[0].error;
  EXPECT_NE(h.metrics.Render().find("novacron_components_failed_total 1"), std::string::npos);
  EXPECT_EQ(h.LinesWith("critical component failed; aborting boot"), 1);
}

}  // namespace
}  // namespace novacron::daemon
