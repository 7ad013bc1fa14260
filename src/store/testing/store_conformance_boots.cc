// The BootStore contract (boot_store.h), for every backend. Backend specifics (files on disk,
// several connections, a chosen retention) are tested next to each backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "store/testing/boot_test_records.h"
#include "store/testing/store_conformance.h"
#include "store/testing/vm_test_records.h"

namespace novacron::store::testing {
namespace {

using std::chrono::microseconds;
using ::testing::HasSubstr;

class BootConformance {
 public:
  explicit BootConformance(BootStore& boots) : boots_(boots) {}

  int64_t Begin(const BootInfo& info) {
    Result<int64_t> id = boots_.BeginBoot(info);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : -1;
  }

  BootRecord Get(int64_t id) {
    Result<BootRecord> boot = boots_.GetBoot(id);
    EXPECT_TRUE(boot.ok()) << boot.status().ToString();
    return boot.ok() ? *boot : BootRecord{};
  }

 private:
  BootStore& boots_;
};

TEST_P(StoreConformanceTest, BootIdsIncrease) {
  BootConformance b(store().boots());
  int64_t first = b.Begin(Info());
  int64_t second = b.Begin(Info());
  int64_t third = b.Begin(Info("node-b"));
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  BootRecord fresh = b.Get(third);
  EXPECT_EQ(fresh.state, BootState::kInProgress);
  EXPECT_EQ(fresh.info.node_id, "node-b");
  EXPECT_EQ(fresh.total_duration, std::nullopt);
  EXPECT_FALSE(fresh.shutdown.has_value());
}

TEST_P(StoreConformanceTest, BootRoundTripsComponentsCheckpointsAndShutdown) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  BootInfo info = Info();
  int64_t id = b.Begin(info);
  ComponentRecord config = Component("config", "started", 0, 1500);
  config.phase = "pre-init";
  ComponentRecord database = Component("database", "started", 2000, 9000);
  database.dependencies = {"security", "a \"quoted\", odd name", "\xC3\xA9t\xC3\xA9"};
  database.attempts = 3;
  database.error = "first two attempts: connection refused";
  ASSERT_TRUE(boots.RecordCheckpoint(id, "init_start", microseconds(0)).ok());
  ASSERT_TRUE(boots.RecordComponent(id, config).ok());
  ASSERT_TRUE(boots.RecordComponent(id, database).ok());
  ASSERT_TRUE(boots.RecordCheckpoint(id, "pre_init_complete", microseconds(1600)).ok());
  ASSERT_TRUE(
      boots.FinishBoot(id, BootState::kDegraded, microseconds(9100), "cache degraded").ok());
  auto stopped_at = NowMicros();
  ASSERT_TRUE(boots.RecordShutdown(id, stopped_at, /*clean=*/true).ok());

  BootRecord boot = b.Get(id);
  EXPECT_EQ(boot.id, id);
  EXPECT_EQ(boot.info.node_id, info.node_id);
  EXPECT_EQ(boot.info.pid, info.pid);
  EXPECT_EQ(boot.info.version, info.version);
  EXPECT_EQ(boot.info.strategy, info.strategy);
  EXPECT_EQ(boot.info.started_at, info.started_at);
  EXPECT_EQ(boot.state, BootState::kDegraded);
  EXPECT_EQ(boot.total_duration, microseconds(9100));
  EXPECT_EQ(boot.error, "cache degraded");
  ASSERT_TRUE(boot.shutdown.has_value());
  EXPECT_EQ(boot.shutdown->at, stopped_at);
  EXPECT_TRUE(boot.shutdown->clean);
  EXPECT_EQ(boot.components, (std::vector<ComponentRecord>{config, database}));
  EXPECT_EQ(boot.checkpoints,
            (std::vector<CheckpointRecord>{{"init_start", microseconds(0)},
                                           {"pre_init_complete", microseconds(1600)}}));
}

TEST_P(StoreConformanceTest, BootComponentUpdateKeepsKnownOffsetsAndCheckpointsMove) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  int64_t id = b.Begin(Info());
  ASSERT_TRUE(boots.RecordComponent(id, Component("network", "starting", 100)).ok());
  ComponentRecord done = Component("network", "failed", std::nullopt, 700);
  done.attempts = 2;
  done.error = "bind 0.0.0.0:9090: address in use";
  ASSERT_TRUE(boots.RecordComponent(id, done).ok());
  BootRecord boot = b.Get(id);
  ASSERT_EQ(boot.components.size(), 1u);
  EXPECT_EQ(boot.components[0].state, "failed");
  EXPECT_EQ(boot.components[0].attempts, 2);
  EXPECT_EQ(boot.components[0].start_offset, microseconds(100));  // kept from the first record
  EXPECT_EQ(boot.components[0].end_offset, microseconds(700));
  EXPECT_EQ(boot.components[0].error, "bind 0.0.0.0:9090: address in use");

  ASSERT_TRUE(boots.RecordCheckpoint(id, "core_init_complete", microseconds(5)).ok());
  ASSERT_TRUE(boots.RecordCheckpoint(id, "core_init_complete", microseconds(800)).ok());
  EXPECT_EQ(b.Get(id).checkpoints,
            (std::vector<CheckpointRecord>{{"core_init_complete", microseconds(800)}}));
}

TEST_P(StoreConformanceTest, BootOrdersComponentsByStartAndCheckpointsByOffset) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  int64_t id = b.Begin(Info());
  ASSERT_TRUE(boots.RecordComponent(id, Component("ml", "lazy")).ok());
  ASSERT_TRUE(boots.RecordComponent(id, Component("api", "started", 300, 400)).ok());
  ASSERT_TRUE(boots.RecordComponent(id, Component("orchestrator", "blocked")).ok());
  ASSERT_TRUE(boots.RecordComponent(id, Component("config", "started", 0, 10)).ok());
  ASSERT_TRUE(boots.RecordCheckpoint(id, "core_init_complete", microseconds(250)).ok());
  ASSERT_TRUE(boots.RecordCheckpoint(id, "init_start", microseconds(0)).ok());
  BootRecord boot = b.Get(id);
  std::vector<std::string> components;
  for (const ComponentRecord& c : boot.components) components.push_back(c.name);
  EXPECT_EQ(components, (std::vector<std::string>{"config", "api", "ml", "orchestrator"}));
  ASSERT_EQ(boot.checkpoints.size(), 2u);
  EXPECT_EQ(boot.checkpoints[0].name, "init_start");
}

TEST_P(StoreConformanceTest, BootFinishTwiceConflictsAndChangesNothing) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  int64_t id = b.Begin(Info());
  EXPECT_EQ(boots.FinishBoot(id, BootState::kInterrupted, microseconds(1), "").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(boots.FinishBoot(id, BootState::kReady, microseconds(-1), "").code(),
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(boots.FinishBoot(id, BootState::kReady, microseconds(1), "").ok());
  Status twice = boots.FinishBoot(id, BootState::kFailed, microseconds(1), "late");
  EXPECT_EQ(twice.code(), ErrorCode::kConflict);
  EXPECT_EQ(twice.message(), "boot " + std::to_string(id) +
                                 " is ready, not in_progress; cannot finish it as failed");
  BootRecord boot = b.Get(id);
  EXPECT_EQ(boot.state, BootState::kReady);
  EXPECT_EQ(boot.error, "");
}

TEST_P(StoreConformanceTest, BootUnknownIdsAreNotFound) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  int64_t id = b.Begin(Info());
  const int64_t unknown = id + 1000;
  Result<BootRecord> missing = boots.GetBoot(unknown);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("boot " + std::to_string(unknown)));
  EXPECT_EQ(boots.RecordComponent(unknown, Component("config", "started")).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(boots.RecordCheckpoint(unknown, "init_start", microseconds(0)).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(boots.RecordShutdown(unknown, NowMicros(), true).code(), ErrorCode::kNotFound);
  EXPECT_EQ(boots.MarkInterrupted(unknown).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(boots.RecordCheckpoint(id, "", microseconds(0)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(boots.RecordComponent(id, Component("", "started")).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(boots.BeginBoot(Info("")).status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, BootMarkInterruptedMarksOnlyDeadBootsOfTheSameNode) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  int64_t killed_in_boot = b.Begin(Info("node-a", 11));
  int64_t crashed_after_ready = b.Begin(Info("node-a", 12));
  ASSERT_TRUE(boots.FinishBoot(crashed_after_ready, BootState::kReady, microseconds(5), "").ok());
  int64_t crashed_degraded = b.Begin(Info("node-a", 13));
  ASSERT_TRUE(boots
                  .FinishBoot(crashed_degraded, BootState::kDegraded, microseconds(5),
                              "cache: redis unreachable")
                  .ok());
  int64_t clean_stop = b.Begin(Info("node-a", 14));
  ASSERT_TRUE(boots.FinishBoot(clean_stop, BootState::kReady, microseconds(5), "").ok());
  ASSERT_TRUE(boots.RecordShutdown(clean_stop, NowMicros(), true).ok());
  int64_t failed = b.Begin(Info("node-a", 16));
  ASSERT_TRUE(boots.FinishBoot(failed, BootState::kFailed, microseconds(5), "preflight").ok());
  int64_t other_node = b.Begin(Info("node-b", 17));
  int64_t current = b.Begin(Info("node-a", 18));

  Result<int> marked = boots.MarkInterrupted(current);
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(*marked, 3);
  BootRecord interrupted = b.Get(killed_in_boot);
  EXPECT_EQ(interrupted.state, BootState::kInterrupted);
  EXPECT_EQ(interrupted.error,
            "process (pid 11) ended during the boot; found by boot " + std::to_string(current));
  EXPECT_EQ(b.Get(crashed_after_ready).state, BootState::kCrashed);
  BootRecord degraded = b.Get(crashed_degraded);
  EXPECT_EQ(degraded.state, BootState::kCrashed);
  EXPECT_THAT(degraded.error, HasSubstr("daemon (pid 13) stopped without recording a shutdown "
                                        "after a degraded boot"));
  EXPECT_THAT(degraded.error, HasSubstr("; cache: redis unreachable"));
  EXPECT_EQ(b.Get(clean_stop).state, BootState::kReady);
  EXPECT_EQ(b.Get(failed).state, BootState::kFailed);
  EXPECT_EQ(b.Get(other_node).state, BootState::kInProgress);
  EXPECT_EQ(b.Get(current).state, BootState::kInProgress);

  // A dead boot cannot be finished or shut down any more; marking again finds nothing.
  EXPECT_EQ(boots.FinishBoot(killed_in_boot, BootState::kReady, microseconds(1), "").code(),
            ErrorCode::kConflict);
  EXPECT_EQ(boots.RecordShutdown(crashed_after_ready, NowMicros(), true).code(),
            ErrorCode::kConflict);
  Result<int> again = boots.MarkInterrupted(current);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_P(StoreConformanceTest, BootListIsNewestFirstUpToTheLimit) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(b.Begin(Info("node-a", 100 + i)));
  ASSERT_TRUE(boots.RecordComponent(ids[2], Component("config", "started", 0, 1)).ok());
  Result<std::vector<BootRecord>> latest = boots.ListBoots(3);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 3u);
  EXPECT_EQ((*latest)[0].id, ids[3]);
  EXPECT_EQ((*latest)[1].id, ids[2]);
  EXPECT_EQ((*latest)[2].id, ids[1]);
  EXPECT_EQ((*latest)[1].info.pid, 102);
  EXPECT_EQ((*latest)[1].components.size(), 1u);
  EXPECT_TRUE((*latest)[0].components.empty());
  Result<std::vector<BootRecord>> all = boots.ListBoots(100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(boots.ListBoots(0).status().code(), ErrorCode::kInvalidArgument);
}

// The retention is the backend's configuration; whatever it is, pruning keeps the newest boots
// and drops the oldest ones entirely.
TEST_P(StoreConformanceTest, BootRetentionKeepsTheNewest) {
  BootStore& boots = store().boots();
  BootConformance b(boots);
  constexpr int kBoots = 60;  // above the default retention of the SQLite store (50)
  std::vector<int64_t> ids;
  for (int i = 0; i < kBoots; ++i) ids.push_back(b.Begin(Info()));
  Result<std::vector<BootRecord>> kept = boots.ListBoots(1000);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  ASSERT_FALSE(kept->empty());
  const size_t pruned = ids.size() - kept->size();
  for (size_t i = 0; i < kept->size(); ++i) {
    EXPECT_EQ((*kept)[i].id, ids[ids.size() - 1 - i]);
  }
  for (size_t i = 0; i < pruned; ++i) {
    EXPECT_EQ(boots.GetBoot(ids[i]).status().code(), ErrorCode::kNotFound) << ids[i];
  }
  EXPECT_GT(b.Begin(Info()), ids.back());
}

}  // namespace
}  // namespace novacron::store::testing
