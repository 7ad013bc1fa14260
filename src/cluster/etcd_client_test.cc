// The etcd client against real etcd members (tests/servers/etcd_cluster.h): KV, transactions,
// leases, watches that resume across a member restart, failover between endpoints, quorum loss.
#include "cluster/etcd_client.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "cluster/etcd_watch.h"
#include "servers/etcd_cluster.h"
#include "servers/server_util.h"

namespace novacron::cluster {
namespace {

using testing::EtcdCluster;

// Polls `done` for up to `limit`.
template <typename Predicate>
bool WaitFor(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class EtcdClientTest : public ::testing::Test {
 protected:
  void StartCluster(int members) {
    if (std::string reason = EtcdCluster::SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    cluster_ = std::make_unique<EtcdCluster>(EtcdCluster::Options{.members = members});
    Status started = cluster_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    auto client = EtcdClient::Connect(
        {.endpoints = cluster_->Endpoints(), .call_timeout = std::chrono::seconds(3)});
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<EtcdClient> client_;
};

TEST_F(EtcdClientTest, PutGetListAndDelete) {
  StartCluster(1);
  auto missing = client_->Get("/t/none");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->has_value());
  for (const char* key : {"/t/b", "/t/a", "/t/c", "/u/x"}) {
    ASSERT_TRUE(client_->Put(key, std::string("v") + key).ok());
  }
  auto a = client_->Get("/t/a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->value, "v/t/a");
  EXPECT_GT((*a)->mod_revision, 0);
  EXPECT_EQ((*a)->create_revision, (*a)->mod_revision);

  auto listed = client_->GetPrefix("/t/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->kvs.size(), 3u);
  EXPECT_EQ(listed->kvs[0].key, "/t/a");
  EXPECT_EQ(listed->kvs[2].key, "/t/c");
  EXPECT_GE(listed->revision, listed->kvs[2].mod_revision);
  auto limited = client_->GetPrefix("/t/", 2);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->kvs.size(), 2u);
  EXPECT_TRUE(limited->more);

  auto deleted = client_->Delete("/t/", /*prefix=*/true);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 3);
  EXPECT_TRUE(client_->GetPrefix("/t/")->kvs.empty());
  EXPECT_TRUE(client_->Get("/u/x")->has_value());
}

TEST_F(EtcdClientTest, TransactionsCompareAndSwap) {
  StartCluster(1);
  Txn create{.compare = {Compare::Missing("/lock")},
             .success = {TxnOp::Put("/lock", "n1")},
             .failure = {TxnOp::Get("/lock")}};
  auto first = client_->Commit(create);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->succeeded);
  create.success = {TxnOp::Put("/lock", "n2")};
  auto second = client_->Commit(create);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->succeeded);
  ASSERT_EQ(second->reads.size(), 1u);  // the failure branch read the holder
  EXPECT_EQ(second->reads[0].value, "n1");

  // If-Match: only the writer that saw the current mod_revision wins.
  const int64_t seen = second->reads[0].mod_revision;
  auto stale = client_->Commit({.compare = {Compare::ModRevisionIs("/lock", seen - 1)},
                                .success = {TxnOp::Put("/lock", "stale")}});
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->succeeded);
  auto fresh = client_->Commit({.compare = {Compare::ModRevisionIs("/lock", seen)},
                                .success = {TxnOp::Put("/lock", "fresh")}});
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->succeeded);
  EXPECT_EQ((*client_->Get("/lock"))->value, "fresh");
}

TEST_F(EtcdClientTest, LeasesKeepKeysAliveAndTheirExpiryDeletesThem) {
  StartCluster(1);
  auto lease = client_->GrantLease(std::chrono::seconds(2));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  ASSERT_TRUE(client_->Put("/member/n1", "up", *lease).ok());
  EXPECT_EQ((*client_->Get("/member/n1"))->lease, *lease);
  auto ttl = client_->KeepAliveOnce(*lease);
  ASSERT_TRUE(ttl.ok()) << ttl.status().ToString();
  EXPECT_EQ(ttl->count(), 2);

  // Not renewed: etcd deletes the key once the TTL ran out.
  EXPECT_TRUE(WaitFor([&] { return !client_->Get("/member/n1")->has_value(); }));
  auto expired = client_->KeepAliveOnce(*lease);
  EXPECT_EQ(expired.status().code(), ErrorCode::kNotFound) << expired.status().ToString();

  auto revoked = client_->GrantLease(std::chrono::seconds(30));
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(client_->Put("/member/n2", "up", *revoked).ok());
  ASSERT_TRUE(client_->RevokeLease(*revoked).ok());
  EXPECT_FALSE(client_->Get("/member/n2")->has_value());
  EXPECT_FALSE(client_->GrantLease(std::chrono::seconds(0)).ok());
}

// Collects what a watch delivers.
struct Seen {
  std::mutex mu;
  std::vector<std::string> events;  // guarded by mu: "put /k=v" or "delete /k"
  int64_t compacted = 0;            // guarded by mu

  EtcdWatch::OnEvents OnEvents() {
    return [this](const std::vector<WatchEvent>& batch) {
      std::lock_guard lock(mu);
      for (const WatchEvent& e : batch) {
        events.push_back(e.type == WatchEvent::Type::kPut ? "put " + e.kv.key + "=" + e.kv.value
                                                          : "delete " + e.kv.key);
      }
    };
  }
  size_t size() {
    std::lock_guard lock(mu);
    return events.size();
  }
  std::vector<std::string> copy() {
    std::lock_guard lock(mu);
    return events;
  }
};

TEST_F(EtcdClientTest, WatchDeliversEveryChangeOnceAcrossAMemberRestart) {
  StartCluster(1);
  ASSERT_TRUE(client_->Put("/w/before", "0").ok());
  auto listed = client_->GetPrefix("/w/");
  ASSERT_TRUE(listed.ok());
  Seen seen;
  auto watch = EtcdWatch::Start(*client_, "/w/", listed->revision + 1, seen.OnEvents(), nullptr);
  ASSERT_TRUE(client_->Put("/w/a", "1").ok());
  ASSERT_TRUE(client_->Put("/other", "x").ok());  // outside the prefix
  ASSERT_TRUE(client_->Delete("/w/before").ok());
  ASSERT_TRUE(WaitFor([&] { return seen.size() == 2; }));

  cluster_->Kill(0);
  ASSERT_TRUE(cluster_->Restart(0).ok());
  Status last_put;
  ASSERT_TRUE(WaitFor([&] {
    last_put = client_->Put("/w/b", "2").status();
    return last_put.ok();
  })) << last_put.ToString();
  ASSERT_TRUE(client_->Put("/w/a", "3").ok());
  ASSERT_TRUE(WaitFor([&] { return seen.size() >= 4; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // room for a duplicate to show
  watch->Stop();
  EXPECT_EQ(seen.copy(), (std::vector<std::string>{"put /w/a=1", "delete /w/before", "put /w/b=2",
                                                   "put /w/a=3"}));
  EXPECT_GE(watch->connections(), 2);
}

TEST_F(EtcdClientTest, WatchResumesOnAnotherMemberWithoutLosingChanges) {
  StartCluster(3);
  Seen seen;
  auto watch = EtcdWatch::Start(*client_, "/w/", 0, seen.OnEvents(), nullptr);
  ASSERT_TRUE(WaitFor([&] { return watch->connections() == 1; }));
  ASSERT_TRUE(client_->Put("/w/1", "a").ok());
  ASSERT_TRUE(WaitFor([&] { return seen.size() == 1; }));
  // Every member in turn: whichever the watch is on goes away at some point, and changes made
  // meanwhile arrive once it reconnects elsewhere.
  for (int member = 0; member < 3; ++member) {
    cluster_->Kill(member);
    ASSERT_TRUE(WaitFor([&] {
      return client_->Put("/w/k" + std::to_string(member), std::to_string(member)).ok();
    }));
    ASSERT_TRUE(cluster_->Restart(member).ok());
  }
  ASSERT_TRUE(WaitFor([&] { return seen.size() >= 4; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  watch->Stop();
  EXPECT_EQ(seen.copy(),
            (std::vector<std::string>{"put /w/1=a", "put /w/k0=0", "put /w/k1=1", "put /w/k2=2"}));
  EXPECT_GE(watch->connections(), 2);
}

TEST_F(EtcdClientTest, FailsOverToTheNextEndpointAndReportsQuorumLoss) {
  StartCluster(3);
  cluster_->Kill(0);  // the first endpoint: calls move on to the others
  // A write may fail while the other two elect a leader (when 0 led): that is etcd's answer.
  Status put;
  ASSERT_TRUE(WaitFor([&] {
    put = client_->Put("/k", "v").status();
    return put.ok();
  })) << put.ToString();
  EXPECT_EQ((*client_->Get("/k"))->value, "v");
  std::vector<EndpointStatus> health = client_->Health();
  ASSERT_EQ(health.size(), 3u);
  EXPECT_FALSE(health[0].reachable);
  EXPECT_NE(health[0].error.find(cluster_->Endpoint(0)), std::string::npos) << health[0].error;
  EXPECT_TRUE(health[1].reachable && health[2].reachable);
  EXPECT_NE(health[1].leader_id, 0u);

  cluster_->Kill(1);  // one of three left: no quorum
  auto write = client_->Put("/k", "w");
  EXPECT_TRUE(write.status().code() == ErrorCode::kUnavailable ||
              write.status().code() == ErrorCode::kDeadlineExceeded)
      << write.status().ToString();
  ASSERT_TRUE(cluster_->Restart(0).ok());
  ASSERT_TRUE(cluster_->Restart(1).ok());
  EXPECT_TRUE(WaitFor([&] { return client_->Put("/k", "back").ok(); }));
  EXPECT_EQ((*client_->Get("/k"))->value, "back");
}

TEST(EtcdClientStandaloneTest, NoServerIsUnavailableWithinTheDeadline) {
  const std::string endpoint = "127.0.0.1:" + std::to_string(testing::PickFreePort());
  auto client =
      EtcdClient::Connect({.endpoints = {endpoint}, .call_timeout = std::chrono::seconds(1)});
  ASSERT_TRUE(client.ok());
  auto start = std::chrono::steady_clock::now();
  auto got = (*client)->Get("/k");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(got.status().code() == ErrorCode::kUnavailable ||
              got.status().code() == ErrorCode::kDeadlineExceeded)
      << got.status().ToString();
  EXPECT_NE(got.status().message().find(endpoint), std::string::npos) << got.status().message();
}

TEST(EtcdEndpointsTest, ParsesSchemesAndRefusesBadEntries) {
  auto plain = ParseEtcdEndpoints({"http://127.0.0.1:2379", "localhost:2380/"}, false);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, (std::vector<std::string>{"127.0.0.1:2379", "localhost:2380"}));
  EXPECT_TRUE(ParseEtcdEndpoints({"https://etcd:2379"}, true).ok());
  EXPECT_FALSE(ParseEtcdEndpoints({"https://etcd:2379"}, false).ok());
  EXPECT_FALSE(ParseEtcdEndpoints({}, false).ok());
  for (const char* bad : {"etcd", "etcd:", ":2379", "etcd:port", "etcd:70000", "etcd:0"}) {
    auto parsed = ParseEtcdEndpoints({bad}, false);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find(bad), std::string::npos) << parsed.status().message();
  }
  EXPECT_FALSE(EtcdClient::Connect({.endpoints = {"a:1"}, .cert_file = "x"}).ok());
}

}  // namespace
}  // namespace novacron::cluster
