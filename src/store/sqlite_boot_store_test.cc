#include "store/sqlite_boot_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::store {
namespace {

using std::chrono::microseconds;
using ::testing::HasSubstr;

// Now, truncated to what the store keeps (microseconds).
std::chrono::system_clock::time_point NowMicros() {
  return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

BootInfo Info(std::string node_id = "node-a", int64_t pid = 4242) {
  return {.node_id = std::move(node_id),
          .pid = pid,
          .version = "0.1.0",
          .strategy = "eager",
          .started_at = NowMicros()};
}

ComponentRecord Component(std::string name, std::string state,
                          std::optional<int64_t> start_us = std::nullopt,
                          std::optional<int64_t> end_us = std::nullopt) {
  ComponentRecord c;
  c.name = std::move(name);
  c.phase = "core";
  c.criticality = "critical";
  c.state = std::move(state);
  c.attempts = 1;
  if (start_us) c.start_offset = microseconds(*start_us);
  if (end_us) c.end_offset = microseconds(*end_us);
  return c;
}

class SqliteBootStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(50); }

  void Open(int retention) {
    store_.reset();
    Result<std::unique_ptr<StateStore>> store =
        OpenSqliteStateStore({.data_dir = data_dir(),
                              .busy_timeout = std::chrono::seconds(60),
                              .boot_retention = retention});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  std::filesystem::path data_dir() const { return dir_.path() / "var" / "lib" / "novacron"; }
  BootStore& boots() { return store_->boots(); }

  int64_t Begin(const BootInfo& info) {
    Result<int64_t> id = boots().BeginBoot(info);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : -1;
  }

  BootRecord Get(int64_t id) {
    Result<BootRecord> boot = boots().GetBoot(id);
    EXPECT_TRUE(boot.ok()) << boot.status().ToString();
    return boot.ok() ? *boot : BootRecord{};
  }

  // Rows of `table` as seen by a separate connection (checks what is really on disk).
  int64_t CountRows(const std::string& table) {
    Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(data_dir() / kSqliteFileName);
    EXPECT_TRUE(db.ok());
    Result<SqliteTransaction> txn = (*db)->Begin(TransactionMode::kRead);
    EXPECT_TRUE(txn.ok());
    Result<SqliteStatement> count = txn->Prepare("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(count.ok());
    EXPECT_TRUE(count->Step().ok());
    return count->Int64(0);
  }

  testing::TempDir dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(SqliteBootStoreTest, OpenCreatesTheDataDirAndIsHealthy) {
  EXPECT_TRUE(std::filesystem::exists(data_dir() / "novacron.db"));
  EXPECT_EQ(store_->backend(), "sqlite");
  EXPECT_EQ(store_->location(), (data_dir() / "novacron.db").string());
  EXPECT_TRUE(store_->Health().ok());
}

TEST_F(SqliteBootStoreTest, OpenRejectsBadOptions) {
  EXPECT_EQ(OpenSqliteStateStore({}).status().code(), ErrorCode::kInvalidArgument);
  Result<std::unique_ptr<StateStore>> zero =
      OpenSqliteStateStore({.data_dir = data_dir(), .boot_retention = 0});
  EXPECT_EQ(zero.status().code(), ErrorCode::kInvalidArgument);
  // A regular file where the data dir should be.
  std::filesystem::path file = dir_.path() / "file";
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  Result<std::unique_ptr<StateStore>> blocked = OpenSqliteStateStore({.data_dir = file / "sub"});
  ASSERT_FALSE(blocked.ok());
  EXPECT_THAT(blocked.status().message(), HasSubstr((file / "sub").string()));
}

TEST_F(SqliteBootStoreTest, RoundTripsABootWithComponentsAndCheckpoints) {
  BootInfo info = Info();
  int64_t id = Begin(info);
  BootRecord fresh = Get(id);
  EXPECT_EQ(fresh.state, BootState::kInProgress);
  EXPECT_EQ(fresh.total_duration, std::nullopt);
  EXPECT_FALSE(fresh.shutdown.has_value());

  ComponentRecord config = Component("config", "started", 0, 1500);
  config.phase = "pre-init";
  ComponentRecord database = Component("database", "started", 2000, 9000);
  database.dependencies = {"security", "a \"quoted\", odd name", "\xC3\xA9t\xC3\xA9"};
  database.attempts = 3;
  database.error = "first two attempts: connection refused";
  ASSERT_TRUE(boots().RecordCheckpoint(id, "init_start", microseconds(0)).ok());
  ASSERT_TRUE(boots().RecordComponent(id, config).ok());
  ASSERT_TRUE(boots().RecordComponent(id, database).ok());
  ASSERT_TRUE(boots().RecordCheckpoint(id, "pre_init_complete", microseconds(1600)).ok());
  ASSERT_TRUE(
      boots().FinishBoot(id, BootState::kDegraded, microseconds(9100), "cache degraded").ok());
  auto stopped_at = NowMicros();
  ASSERT_TRUE(boots().RecordShutdown(id, stopped_at, /*clean=*/true).ok());

  BootRecord boot = Get(id);
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

TEST_F(SqliteBootStoreTest, RecordingAComponentAgainUpdatesItAndKeepsKnownOffsets) {
  int64_t id = Begin(Info());
  ASSERT_TRUE(boots().RecordComponent(id, Component("network", "starting", 100)).ok());
  ComponentRecord done = Component("network", "failed", std::nullopt, 700);
  done.attempts = 2;
  done.error = "bind 0.0.0.0:9090: address in use";
  ASSERT_TRUE(boots().RecordComponent(id, done).ok());

  BootRecord boot = Get(id);
  ASSERT_EQ(boot.components.size(), 1u);
  const ComponentRecord& network = boot.components[0];
  EXPECT_EQ(network.state, "failed");
  EXPECT_EQ(network.attempts, 2);
  EXPECT_EQ(network.start_offset, microseconds(100));  // kept from the first record
  EXPECT_EQ(network.end_offset, microseconds(700));
  EXPECT_EQ(network.error, "bind 0.0.0.0:9090: address in use");

  ASSERT_TRUE(boots().RecordCheckpoint(id, "core_init_complete", microseconds(5)).ok());
  ASSERT_TRUE(boots().RecordCheckpoint(id, "core_init_complete", microseconds(800)).ok());
  boot = Get(id);
  EXPECT_EQ(boot.checkpoints,
            (std::vector<CheckpointRecord>{{"core_init_complete", microseconds(800)}}));
}

TEST_F(SqliteBootStoreTest, OrdersComponentsByStartAndCheckpointsByOffset) {
  int64_t id = Begin(Info());
  // Recorded out of order, as parallel starts may do; never-started ones go last, in record order.
  ASSERT_TRUE(boots().RecordComponent(id, Component("ml", "lazy")).ok());
  ASSERT_TRUE(boots().RecordComponent(id, Component("api", "started", 300, 400)).ok());
  ASSERT_TRUE(boots().RecordComponent(id, Component("orchestrator", "blocked")).ok());
  ASSERT_TRUE(boots().RecordComponent(id, Component("config", "started", 0, 10)).ok());
  ASSERT_TRUE(boots().RecordComponent(id, Component("logger", "started", 10, 20)).ok());
  ASSERT_TRUE(boots().RecordCheckpoint(id, "core_init_complete", microseconds(250)).ok());
  ASSERT_TRUE(boots().RecordCheckpoint(id, "init_start", microseconds(0)).ok());
  ASSERT_TRUE(boots().RecordCheckpoint(id, "pre_init_complete", microseconds(20)).ok());

  BootRecord boot = Get(id);
  std::vector<std::string> components;
  for (const ComponentRecord& c : boot.components) components.push_back(c.name);
  EXPECT_EQ(components,
            (std::vector<std::string>{"config", "logger", "api", "ml", "orchestrator"}));
  std::vector<std::string> checkpoints;
  for (const CheckpointRecord& c : boot.checkpoints) checkpoints.push_back(c.name);
  EXPECT_EQ(checkpoints,
            (std::vector<std::string>{"init_start", "pre_init_complete", "core_init_complete"}));
}

TEST_F(SqliteBootStoreTest, ListsNewestFirstUpToTheLimit) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Begin(Info("node-a", 100 + i)));
  EXPECT_TRUE(ids[0] < ids[1] && ids[1] < ids[2] && ids[2] < ids[3]);
  ASSERT_TRUE(boots().RecordComponent(ids[2], Component("config", "started", 0, 1)).ok());

  Result<std::vector<BootRecord>> latest = boots().ListBoots(3);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 3u);
  EXPECT_EQ((*latest)[0].id, ids[3]);
  EXPECT_EQ((*latest)[1].id, ids[2]);
  EXPECT_EQ((*latest)[2].id, ids[1]);
  EXPECT_EQ((*latest)[1].info.pid, 102);
  EXPECT_EQ((*latest)[1].components.size(), 1u);
  EXPECT_TRUE((*latest)[0].components.empty());

  Result<std::vector<BootRecord>> all = boots().ListBoots(100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(boots().ListBoots(0).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteBootStoreTest, RetentionPrunesTheOldestBootsWithTheirRecords) {
  Open(3);
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Begin(Info()));
    ASSERT_TRUE(boots().RecordComponent(ids.back(), Component("config", "started", 0, 1)).ok());
    ASSERT_TRUE(boots().RecordCheckpoint(ids.back(), "init_start", microseconds(0)).ok());
  }
  Result<std::vector<BootRecord>> kept = boots().ListBoots(10);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 3u);
  EXPECT_EQ((*kept)[0].id, ids[4]);
  EXPECT_EQ((*kept)[2].id, ids[2]);
  Result<BootRecord> pruned = boots().GetBoot(ids[1]);
  EXPECT_EQ(pruned.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(pruned.status().message(), HasSubstr("boot " + std::to_string(ids[1])));
  // Pruning happens when a boot begins: the 3 kept boots plus their records only.
  EXPECT_EQ(CountRows("boots"), 3);
  EXPECT_EQ(CountRows("boot_components"), 3);
  EXPECT_EQ(CountRows("boot_checkpoints"), 3);
  // Ids keep increasing after pruning.
  EXPECT_GT(Begin(Info()), ids[4]);
}

TEST_F(SqliteBootStoreTest, MarkInterruptedMarksOnlyDeadBootsOfTheSameNode) {
  int64_t killed_in_boot = Begin(Info("node-a", 11));
  ASSERT_TRUE(boots().RecordComponent(killed_in_boot, Component("config", "started", 0)).ok());
  int64_t crashed_after_ready = Begin(Info("node-a", 12));
  ASSERT_TRUE(boots().FinishBoot(crashed_after_ready, BootState::kReady, microseconds(5), "").ok());
  int64_t crashed_degraded = Begin(Info("node-a", 13));
  ASSERT_TRUE(boots()
                  .FinishBoot(crashed_degraded, BootState::kDegraded, microseconds(5),
                              "cache: redis unreachable")
                  .ok());
  int64_t clean_stop = Begin(Info("node-a", 14));
  ASSERT_TRUE(boots().FinishBoot(clean_stop, BootState::kReady, microseconds(5), "").ok());
  ASSERT_TRUE(boots().RecordShutdown(clean_stop, NowMicros(), true).ok());
  int64_t unclean_stop = Begin(Info("node-a", 15));
  ASSERT_TRUE(boots().FinishBoot(unclean_stop, BootState::kReady, microseconds(5), "").ok());
  ASSERT_TRUE(boots().RecordShutdown(unclean_stop, NowMicros(), false).ok());
  int64_t failed = Begin(Info("node-a", 16));
  ASSERT_TRUE(boots().FinishBoot(failed, BootState::kFailed, microseconds(5), "preflight").ok());
  int64_t other_node = Begin(Info("node-b", 17));
  int64_t current = Begin(Info("node-a", 18));

  Result<int> marked = boots().MarkInterrupted(current);
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(*marked, 3);

  BootRecord interrupted = Get(killed_in_boot);
  EXPECT_EQ(interrupted.state, BootState::kInterrupted);
  EXPECT_EQ(interrupted.error,
            "process (pid 11) ended during the boot; found by boot " + std::to_string(current));
  EXPECT_EQ(interrupted.components.size(), 1u);  // what it got done stays visible
  BootRecord crashed = Get(crashed_after_ready);
  EXPECT_EQ(crashed.state, BootState::kCrashed);
  EXPECT_THAT(crashed.error, HasSubstr("daemon (pid 12) stopped without recording a shutdown "
                                       "after a ready boot"));
  BootRecord degraded = Get(crashed_degraded);
  EXPECT_EQ(degraded.state, BootState::kCrashed);
  EXPECT_THAT(degraded.error, HasSubstr("after a degraded boot"));
  EXPECT_THAT(degraded.error, HasSubstr("; cache: redis unreachable"));  // the reason is kept
  EXPECT_EQ(Get(clean_stop).state, BootState::kReady);
  EXPECT_EQ(Get(unclean_stop).state, BootState::kReady);
  EXPECT_EQ(Get(failed).state, BootState::kFailed);
  EXPECT_EQ(Get(other_node).state, BootState::kInProgress);
  EXPECT_EQ(Get(current).state, BootState::kInProgress);

  // A dead boot cannot be finished or shut down any more; marking again finds nothing.
  EXPECT_EQ(boots().FinishBoot(killed_in_boot, BootState::kReady, microseconds(1), "").code(),
            ErrorCode::kConflict);
  EXPECT_EQ(boots().RecordShutdown(crashed_after_ready, NowMicros(), true).code(),
            ErrorCode::kConflict);
  Result<int> again = boots().MarkInterrupted(current);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(boots().MarkInterrupted(current + 100).status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteBootStoreTest, RejectsInvalidCallsWithNamedErrors) {
  int64_t id = Begin(Info());
  Status unknown = boots().RecordComponent(id + 1, Component("config", "started"));
  EXPECT_EQ(unknown.code(), ErrorCode::kNotFound);
  EXPECT_THAT(unknown.message(), HasSubstr("boot " + std::to_string(id + 1) + " not found"));
  EXPECT_EQ(boots().RecordCheckpoint(id + 1, "init_start", microseconds(0)).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(boots().RecordCheckpoint(id, "", microseconds(0)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(boots().RecordComponent(id, Component("", "started")).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(boots().BeginBoot(Info("")).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(boots().RecordShutdown(id + 1, NowMicros(), true).code(), ErrorCode::kNotFound);

  EXPECT_EQ(boots().FinishBoot(id, BootState::kInterrupted, microseconds(1), "").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(boots().FinishBoot(id, BootState::kReady, microseconds(-1), "").code(),
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(boots().FinishBoot(id, BootState::kReady, microseconds(1), "").ok());
  Status twice = boots().FinishBoot(id, BootState::kFailed, microseconds(1), "");
  EXPECT_EQ(twice.code(), ErrorCode::kConflict);
  EXPECT_EQ(twice.message(), "boot " + std::to_string(id) +
                                 " is ready, not in_progress; cannot finish it as failed");
  EXPECT_EQ(Get(id).state, BootState::kReady);  // the failed call changed nothing
}

TEST_F(SqliteBootStoreTest, RecordsSurviveReopening) {
  int64_t id = Begin(Info());
  ASSERT_TRUE(boots().RecordComponent(id, Component("config", "started", 0, 3)).ok());
  ASSERT_TRUE(boots().FinishBoot(id, BootState::kReady, microseconds(3), "").ok());
  Open(50);
  BootRecord boot = Get(id);
  EXPECT_EQ(boot.state, BootState::kReady);
  EXPECT_EQ(boot.components.size(), 1u);
}

// Several threads share one store (one connection): transactions are serialized.
TEST_F(SqliteBootStoreTest, ConcurrentWritersOnOneStore) {
  constexpr int kThreads = 4;
  constexpr int kComponents = 8;
  std::vector<Status> failures(kThreads);
  std::vector<int64_t> ids(kThreads, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result<int64_t> id = boots().BeginBoot(Info("node-a", 1000 + t));
      if (!id.ok()) {
        failures[t] = id.status();
        return;
      }
      ids[t] = *id;
      for (int c = 0; c < kComponents; ++c) {
        std::string name = "component-" + std::to_string(c);
        Status s = boots().RecordComponent(*id, Component(name, "starting", c * 10));
        if (s.ok())
          s = boots().RecordComponent(*id, Component(name, "started", c * 10, c * 10 + 5));
        if (s.ok()) s = boots().RecordCheckpoint(*id, "cp-" + std::to_string(c), microseconds(c));
        if (!s.ok()) {
          failures[t] = s;
          return;
        }
      }
      failures[t] = boots().FinishBoot(*id, BootState::kReady, microseconds(100), "");
    });
  }
  for (std::thread& th : threads) th.join();
  for (const Status& s : failures) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), static_cast<size_t>(kThreads));
  Result<std::vector<BootRecord>> all = boots().ListBoots(100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads));
  for (const BootRecord& boot : *all) {
    EXPECT_EQ(boot.state, BootState::kReady);
    ASSERT_EQ(boot.components.size(), static_cast<size_t>(kComponents));
    EXPECT_EQ(boot.checkpoints.size(), static_cast<size_t>(kComponents));
    for (const ComponentRecord& c : boot.components) EXPECT_EQ(c.state, "started");
  }
}

// Several connections (as several processes would have) write the same file at once: SQLite's
// locks plus the busy timeout serialize them without errors.
TEST_F(SqliteBootStoreTest, ConcurrentWritersOnSeparateConnections) {
  store_.reset();
  constexpr int kConnections = 3;
  constexpr int kBootsEach = 4;
  std::vector<Status> failures(kConnections);
  std::vector<std::vector<int64_t>> ids(kConnections);
  std::vector<std::thread> threads;
  for (int t = 0; t < kConnections; ++t) {
    threads.emplace_back([&, t] {
      Result<std::unique_ptr<StateStore>> store =
          OpenSqliteStateStore({.data_dir = data_dir(), .busy_timeout = std::chrono::seconds(60)});
      if (!store.ok()) {
        failures[t] = store.status();
        return;
      }
      BootStore& mine = (*store)->boots();
      for (int b = 0; b < kBootsEach; ++b) {
        Result<int64_t> id = mine.BeginBoot(Info("node-" + std::to_string(t)));
        if (!id.ok()) {
          failures[t] = id.status();
          return;
        }
        ids[t].push_back(*id);
        for (int c = 0; c < 3; ++c) {
          Status s = mine.RecordComponent(*id, Component("c" + std::to_string(c), "started", c));
          if (!s.ok()) {
            failures[t] = s;
            return;
          }
        }
        Result<std::vector<BootRecord>> read = mine.ListBoots(5);
        if (!read.ok()) {
          failures[t] = read.status();
          return;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const Status& s : failures) ASSERT_TRUE(s.ok()) << s.ToString();
  Open(50);
  std::set<int64_t> unique;
  for (const std::vector<int64_t>& v : ids) unique.insert(v.begin(), v.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kConnections * kBootsEach));
  Result<std::vector<BootRecord>> all = boots().ListBoots(100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kConnections * kBootsEach));
  for (const BootRecord& boot : *all) EXPECT_EQ(boot.components.size(), 3u);
}

}  // namespace
}  // namespace novacron::store
