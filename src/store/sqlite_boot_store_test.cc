#include "store/sqlite_boot_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"
#include "store/testing/boot_test_records.h"

namespace novacron::store {
namespace {

using std::chrono::microseconds;
using ::testing::HasSubstr;

using testing::Component;
using testing::Info;
using testing::NowMicros;

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

// The backend-independent contract (round trips, updates, ordering, listing, interrupted boots)
// is in testing/store_conformance_boots.cc; these are the SQLite specifics.
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
