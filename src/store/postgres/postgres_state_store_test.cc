// Opening the PostgreSQL store: migrations, refusals, unreachable servers, secrets, concurrency.
#include "store/postgres/postgres_state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "servers/server_util.h"
#include "store/migration.h"
#include "store/postgres/postgres_test_support.h"
#include "store/schema.h"

namespace novacron::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::pair<int, std::string>> MigrationRows(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::work txn(connection);
  std::vector<std::pair<int, std::string>> rows;
  for (const pqxx::row& row :
       txn.exec("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")) {
    rows.emplace_back(row[0].as<int>(), row[1].as<std::string>() + "@" + row[2].c_str());
  }
  return rows;
}

std::unique_ptr<StateStore> MustOpen(const PostgresStoreOptions& options) {
  Result<std::unique_ptr<StateStore>> store = OpenPostgresStateStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

TEST(PostgresStateStoreTest, OpensMigratedWithItsLocation) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "open");
  std::unique_ptr<StateStore> store = MustOpen({.connection_string = url});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->backend(), "postgres");
  EXPECT_EQ(store->schema_version(), LatestVersion(StoreMigrations()));
  const std::string db = url.substr(url.rfind('/') + 1);
  EXPECT_EQ("postgresql://novacron@" + store->location(), url);
  EXPECT_THAT(store->location(), HasSubstr("/" + db));
  EXPECT_TRUE(store->Health().ok());
  std::vector<std::pair<int, std::string>> rows = MigrationRows(url);
  ASSERT_EQ(rows.size(), StoreMigrations().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].first, StoreMigrations()[i].version);
    EXPECT_THAT(rows[i].second, HasSubstr(StoreMigrations()[i].name + "@"));
  }
}

TEST(PostgresStateStoreTest, ReopeningAppliesNothing) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "reopen");
  ASSERT_NE(MustOpen({.connection_string = url}), nullptr);
  const auto before = MigrationRows(url);
  std::unique_ptr<StateStore> again = MustOpen({.connection_string = url});
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->schema_version(), LatestVersion(StoreMigrations()));
  EXPECT_EQ(MigrationRows(url), before);  // same rows, same applied_at
}

TEST(PostgresStateStoreTest, ConcurrentOpensMigrateOnce) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "race");
  constexpr int kOpeners = 4;
  std::vector<Status> outcomes(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<StateStore>> store =
          OpenPostgresStateStore({.connection_string = url, .max_connections = 1});
      outcomes[i] = store.status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : outcomes) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(MigrationRows(url).size(), StoreMigrations().size());
}

TEST(PostgresStateStoreTest, RefusesASchemaNewerThanTheBinary) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "newer");
  ASSERT_NE(MustOpen({.connection_string = url}), nullptr);
  const int future = LatestVersion(StoreMigrations()) + 5;
  {
    pqxx::connection connection(url);
    pqxx::work txn(connection);
    txn.exec_params("INSERT INTO schema_migrations VALUES ($1, 'from_the_future', 0)", future);
    txn.commit();
  }
  Result<std::unique_ptr<StateStore>> store = OpenPostgresStateStore({.connection_string = url});
  EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr("database schema version " + std::to_string(future) +
                        " is newer than this novacron"));
}

TEST(PostgresStateStoreTest, RefusesADivergedMigrationName) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "diverged");
  ASSERT_NE(MustOpen({.connection_string = url}), nullptr);
  {
    pqxx::connection connection(url);
    pqxx::work txn(connection);
    txn.exec("UPDATE schema_migrations SET name = 'something_else' WHERE version = 1");
    txn.commit();
  }
  Result<std::unique_ptr<StateStore>> store = OpenPostgresStateStore({.connection_string = url});
  EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("diverged"));
}

TEST(PostgresStateStoreTest, ClosedPortIsUnavailableWithoutTheSecret) {
  const int port = novacron::testing::PickFreePort();  // nothing listens there
  Result<std::unique_ptr<StateStore>> store = OpenPostgresStateStore(
      {.connection_string =
           "postgresql://novacron:hunter2-secret@127.0.0.1:" + std::to_string(port) + "/nowhere",
       .connect_timeout = std::chrono::milliseconds(1500)});
  ASSERT_EQ(store.status().code(), ErrorCode::kUnavailable) << store.status().ToString();
  EXPECT_EQ(store.status().message(),
            "postgres 127.0.0.1:" + std::to_string(port) + "/nowhere: connection refused");
  EXPECT_THAT(store.status().ToString(), Not(HasSubstr("hunter2")));
}

TEST(PostgresStateStoreTest, LocationNeverShowsThePassword) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "secret");
  // Trust authentication ignores the password; the store must not repeat it anywhere.
  const std::string with_password =
      url.substr(0, url.find('@')) + ":hunter2-secret" + url.substr(url.find('@'));
  std::unique_ptr<StateStore> store = MustOpen({.connection_string = with_password});
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->location(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(store->vms().Get("nope").status().ToString(), Not(HasSubstr("hunter2")));
}

TEST(PostgresStateStoreTest, RejectsBadOptions) {
  EXPECT_EQ(OpenPostgresStateStore({.connection_string = ""}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      OpenPostgresStateStore({.connection_string = "host=x", .max_connections = 0}).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      OpenPostgresStateStore({.connection_string = "host=x", .boot_retention = 0}).status().code(),
      ErrorCode::kInvalidArgument);
  Result<std::unique_ptr<StateStore>> garbled =
      OpenPostgresStateStore({.connection_string = "password=hunter2-secret bogus"});
  EXPECT_EQ(garbled.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(garbled.status().ToString(), Not(HasSubstr("hunter2")));
}

TEST(PostgresStateStoreTest, RetentionIsConfigurable) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "retention");
  std::unique_ptr<StateStore> store = MustOpen({.connection_string = url, .boot_retention = 3});
  ASSERT_NE(store, nullptr);
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    Result<int64_t> id = store->boots().BeginBoot(
        {.node_id = "n", .pid = 1, .version = "v", .strategy = "eager", .started_at = {}});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  Result<std::vector<BootRecord>> boots = store->boots().ListBoots(10);
  ASSERT_TRUE(boots.ok()) << boots.status().ToString();
  ASSERT_EQ(boots->size(), 3u);
  EXPECT_EQ(boots->front().id, ids.back());
  EXPECT_EQ(store->boots().GetBoot(ids.front()).status().code(), ErrorCode::kNotFound);
}

// Two stores (two daemons) on one database: boot ids stay unique and increasing.
TEST(PostgresStateStoreTest, ConcurrentBeginBootsFromTwoStoresGetDistinctIds) {
  NOVACRON_FRESH_PG_OR_SKIP(url, "boots");
  std::unique_ptr<StateStore> first = MustOpen({.connection_string = url});
  std::unique_ptr<StateStore> second = MustOpen({.connection_string = url});
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kThreads = 6;
  constexpr int kEach = 5;
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      StateStore& store = t % 2 == 0 ? *first : *second;
      for (int i = 0; i < kEach; ++i) {
        Result<int64_t> id = store.boots().BeginBoot(
            {.node_id = "n", .pid = t + 1, .version = "v", .strategy = "eager", .started_at = {}});
        EXPECT_TRUE(id.ok()) << id.status().ToString();
        if (id.ok()) ids[t].push_back(*id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> all;
  for (const std::vector<int64_t>& mine : ids) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    all.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace novacron::store
