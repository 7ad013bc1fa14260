// The database dies under a running store: acknowledged writes survive, calls during the outage
// fail fast with kUnavailable, and the same store object works again once the server is back.
// Each test runs its own server, since it kills it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "servers/postgres_server.h"
#include "store/postgres/postgres_state_store.h"
#include "store/testing/vm_test_records.h"

namespace novacron::store {
namespace {

using ::testing::HasSubstr;
using testing::NewVm;

class PostgresOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = server_.Start();
    if (started.code() == ErrorCode::kFailedPrecondition) GTEST_SKIP() << started.ToString();
    ASSERT_TRUE(started.ok()) << started.ToString();
    Result<std::string> url = server_.CreateDatabase("outage");
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    Result<std::unique_ptr<StateStore>> store = OpenPostgresStateStore(
        {.connection_string = *url, .connect_timeout = std::chrono::seconds(2)});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void ExpectUnavailable(const Status& status, const std::string& what) {
    EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << what << ": " << status.ToString();
    EXPECT_THAT(status.message(),
                HasSubstr("postgres 127.0.0.1:" + std::to_string(server_.port()) + "/outage: "))
        << what;
  }

  novacron::testing::PostgresServer server_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(PostgresOutageTest, AcknowledgedWritesSurviveAKillAndTheStoreReconnects) {
  std::vector<VmRecord> acknowledged;
  for (int i = 0; i < 20; ++i) {
    Result<VmRecord> created = store_->vms().Create(NewVm("vm" + std::to_string(i)));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    acknowledged.push_back(*created);
  }
  Result<int64_t> boot = store_->boots().BeginBoot(
      {.node_id = "n", .pid = 1, .version = "v", .strategy = "eager", .started_at = {}});
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  ASSERT_TRUE(
      store_->boots().RecordCheckpoint(*boot, "init_start", std::chrono::microseconds(5)).ok());

  ASSERT_TRUE(server_.Kill().ok());
  // Every kind of call fails fast and cleanly while the server is gone, twice over (the second
  // round runs with no pooled connection left).
  for (int round = 0; round < 2; ++round) {
    ExpectUnavailable(store_->Health(), "health");
    ExpectUnavailable(store_->vms().Get(acknowledged[0].id).status(), "get");
    ExpectUnavailable(store_->vms().Create(NewVm("during")).status(), "create");
    ExpectUnavailable(store_->vms().ListAll().status(), "list");
    ExpectUnavailable(
        store_->boots()
            .BeginBoot(
                {.node_id = "n", .pid = 2, .version = "v", .strategy = "eager", .started_at = {}})
            .status(),
        "begin boot");
  }
  EXPECT_EQ(store_->Health().message(),
            "postgres 127.0.0.1:" + std::to_string(server_.port()) + "/outage: connection refused");

  Status restarted = server_.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  Status health = store_->Health();
  EXPECT_TRUE(health.ok()) << health.ToString();
  Result<std::vector<VmRecord>> all = store_->vms().ListAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, acknowledged);
  Result<BootRecord> stored_boot = store_->boots().GetBoot(*boot);
  ASSERT_TRUE(stored_boot.ok()) << stored_boot.status().ToString();
  ASSERT_EQ(stored_boot->checkpoints.size(), 1u);
  EXPECT_EQ(stored_boot->checkpoints[0].name, "init_start");
  Result<VmRecord> after = store_->vms().Create(NewVm("after"));
  EXPECT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(store_->vms().GetByName("during").status().code(), ErrorCode::kNotFound);
}

// A restart nobody noticed: the pooled connections are dead, yet the first call succeeds.
TEST_F(PostgresOutageTest, FirstCallAfterAnUnnoticedRestartSucceeds) {
  // Fill the pool with several idle connections.
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] { EXPECT_TRUE(store_->vms().ListAll().ok()); });
  }
  for (std::thread& t : readers) t.join();
  Result<VmRecord> before = store_->vms().Create(NewVm("before"));
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  ASSERT_TRUE(server_.Kill().ok());
  ASSERT_TRUE(server_.Restart().ok());

  Result<VmRecord> got = store_->vms().Get(before->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, *before);
  Result<VmRecord> created = store_->vms().Create(NewVm("after"));
  EXPECT_TRUE(created.ok()) << created.status().ToString();
}

// Threads keep writing through a kill and a restart: nothing hangs or crashes, every call
// either succeeds or is kUnavailable, and every acknowledged create is there afterwards.
TEST_F(PostgresOutageTest, ConcurrentWritersThroughAnOutage) {
  constexpr int kThreads = 4;
  constexpr int kEach = 30;
  std::vector<std::vector<std::string>> acknowledged(kThreads);
  std::vector<std::string> unexpected(kThreads);
  std::atomic<int> done{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        VmRecord vm = NewVm("w" + std::to_string(t) + "-" + std::to_string(i));
        Result<VmRecord> created = store_->vms().Create(vm);
        if (created.ok()) {
          acknowledged[t].push_back(vm.id);
        } else if (created.status().code() != ErrorCode::kUnavailable) {
          unexpected[t] = created.status().ToString();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      ++done;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ASSERT_TRUE(server_.Kill().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(server_.Restart().ok());
  for (std::thread& t : writers) t.join();
  for (const std::string& message : unexpected) EXPECT_EQ(message, "");
  for (const std::vector<std::string>& ids : acknowledged) {
    for (const std::string& id : ids) {
      Result<VmRecord> stored = store_->vms().Get(id);
      EXPECT_TRUE(stored.ok()) << id << ": " << stored.status().ToString();
    }
  }
}

}  // namespace
}  // namespace novacron::store
