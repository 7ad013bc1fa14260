#include "store/sqlite_migrator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "store/schema.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::store {
namespace {

using ::testing::HasSubstr;

const std::vector<Migration> kTwo = {
    {1, "create_a", "CREATE TABLE a (x INTEGER NOT NULL)"},
    {2, "create_b", "CREATE TABLE b (x INTEGER NOT NULL); INSERT INTO b VALUES (1)"},
};

class SqliteMigratorTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = OpenDb(); }

  std::unique_ptr<SqliteDatabase> OpenDb() {
    Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(path());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::filesystem::path path() const { return dir_.path() / "m.db"; }

  bool TableExists(const std::string& name) {
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kRead);
    EXPECT_TRUE(txn.ok());
    Result<SqliteStatement> q =
        txn->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(q->BindText(1, name).ok());
    Result<bool> row = q->Step();
    return row.ok() && *row;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteMigratorTest, AppliesOnceThenIsANoOp) {
  Result<MigrationOutcome> first = MigrateSqlite(*db_, kTwo);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, 2);
  EXPECT_EQ(first->applied, 2);
  EXPECT_TRUE(TableExists("a"));
  EXPECT_TRUE(TableExists("b"));

  Result<std::vector<AppliedMigration>> applied = AppliedSqliteMigrations(*db_);
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->size(), 2u);
  EXPECT_EQ((*applied)[0].name, "create_a");
  EXPECT_EQ((*applied)[1].name, "create_b");

  // Re-open: nothing to do (a second run of a non-idempotent script would fail: CREATE TABLE).
  db_ = OpenDb();
  Result<MigrationOutcome> again = MigrateSqlite(*db_, kTwo);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->from_version, 2);
  EXPECT_EQ(again->to_version, 2);
  EXPECT_EQ(again->applied, 0);
}

TEST_F(SqliteMigratorTest, AppliesOnlyTheNewOnes) {
  ASSERT_TRUE(MigrateSqlite(*db_, std::span(kTwo).first(1)).ok());
  EXPECT_FALSE(TableExists("b"));
  Result<MigrationOutcome> upgrade = MigrateSqlite(*db_, kTwo);
  ASSERT_TRUE(upgrade.ok()) << upgrade.status().ToString();
  EXPECT_EQ(upgrade->from_version, 1);
  EXPECT_EQ(upgrade->to_version, 2);
  EXPECT_EQ(upgrade->applied, 1);
}

TEST_F(SqliteMigratorTest, AFailingMigrationLeavesNothingOfItself) {
  std::vector<Migration> broken = kTwo;
  broken[1] = {2, "broken", "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1)"};
  Result<MigrationOutcome> outcome = MigrateSqlite(*db_, broken);
  ASSERT_FALSE(outcome.ok());
  EXPECT_THAT(outcome.status().message(), HasSubstr("migration 2 'broken' on " + path().string()));
  EXPECT_THAT(outcome.status().ToString(), HasSubstr("no such table: no_such_table"));
  EXPECT_TRUE(TableExists("a"));   // migration 1 committed in its own transaction
  EXPECT_FALSE(TableExists("b"));  // migration 2 rolled back entirely
  Result<std::vector<AppliedMigration>> applied = AppliedSqliteMigrations(*db_);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->size(), 1u);
}

TEST_F(SqliteMigratorTest, NewerDatabaseIsRefused) {
  ASSERT_TRUE(MigrateSqlite(*db_, kTwo).ok());
  {
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Exec("INSERT INTO schema_migrations VALUES (7, 'from_the_future', 0)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  Result<MigrationOutcome> outcome = MigrateSqlite(*db_, kTwo);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(outcome.status().message(),
              HasSubstr("database schema version 7 is newer than this novacron (knows 2); "
                        "refusing to start"));
  EXPECT_THAT(outcome.status().message(), HasSubstr(path().string()));
}

TEST_F(SqliteMigratorTest, StateStoreRefusesNewerDatabase) {
  SqliteStoreOptions options{.data_dir = dir_.path() / "data"};
  {
    Result<std::unique_ptr<StateStore>> store = OpenSqliteStateStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->schema_version(), LatestVersion(StoreMigrations()));
  }
  const int latest = LatestVersion(StoreMigrations());
  {
    Result<std::unique_ptr<SqliteDatabase>> raw =
        SqliteDatabase::Open(options.data_dir / kSqliteFileName);
    ASSERT_TRUE(raw.ok());
    Result<SqliteTransaction> txn = (*raw)->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(latest + 6) +
                          ", 'future', 0)")
                    .ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  Result<std::unique_ptr<StateStore>> refused = OpenSqliteStateStore(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("database schema version " + std::to_string(latest + 6) +
                        " is newer than this novacron (knows " + std::to_string(latest) +
                        "); refusing to start"));
}

TEST_F(SqliteMigratorTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  constexpr int kProcesses = 3;
  std::vector<Result<MigrationOutcome>> outcomes(kProcesses,
                                                 Result<MigrationOutcome>(Internal("not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcesses; ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<SqliteDatabase>> db =
          SqliteDatabase::Open(path(), {.busy_timeout = std::chrono::seconds(60)});
      if (!db.ok()) {
        outcomes[i] = db.status();
        return;
      }
      outcomes[i] = MigrateSqlite(**db, kTwo);
    });
  }
  for (std::thread& t : threads) t.join();
  int applied = 0;
  for (const Result<MigrationOutcome>& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(outcome->to_version, 2);
    applied += outcome->applied;
  }
  EXPECT_EQ(applied, 2);
}

}  // namespace
}  // namespace novacron::store
