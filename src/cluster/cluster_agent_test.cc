// Membership, leadership and fencing against real etcd members (tests/servers/etcd_cluster.h):
// agents join and agree on one leader, a leaving leader is replaced, a node cut off from etcd
// fences itself before the others can see it lost, and a deposed leader cannot write.
#include "cluster/cluster_agent.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "servers/etcd_cluster.h"

namespace novacron::cluster {
namespace {

using testing::EtcdCluster;
using Clock = std::chrono::steady_clock;

template <typename Predicate>
bool WaitFor(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class ClusterAgentTest : public ::testing::Test {
 protected:
  void StartEtcd(int members) {
    if (std::string reason = EtcdCluster::SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
    etcd_ = std::make_unique<EtcdCluster>(EtcdCluster::Options{.members = members});
    Status started = etcd_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  std::unique_ptr<EtcdClient> Client(std::vector<std::string> endpoints) {
    auto client = EtcdClient::Connect(
        {.endpoints = std::move(endpoints), .call_timeout = std::chrono::seconds(2)});
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  ClusterAgent::Options AgentOptions(const std::string& id) {
    ClusterAgent::Options options;
    options.node_id = id;
    options.lease_ttl = std::chrono::seconds(2);
    options.tick = std::chrono::milliseconds(100);
    options.on_watch_lag = [this](std::chrono::duration<double>) { ++watch_lags_; };
    options.describe = [this, id] {
      NodeRecord record;
      record.api_address = "127.0.0.1:1";  // a string only: nothing connects to it
      record.capacity = {8, 16384};
      record.allocated = {0, allocated_mib_.load()};  // a change makes every node publish
      record.labels = {{"zone", id == "n1" ? "a" : "b"}};
      return record;
    };
    return options;
  }

  static int Count(const ClusterView& view, MemberState state) {
    int n = 0;
    for (const Member& m : view.members.members) n += m.state == state ? 1 : 0;
    return n;
  }

  std::unique_ptr<EtcdCluster> etcd_;
  std::atomic<int> watch_lags_{0};  // publishes seen coming back through the watch
  std::atomic<int64_t> allocated_mib_{0};
};

TEST_F(ClusterAgentTest, NodesJoinAgreeOnOneLeaderAndALeavingLeaderIsReplaced) {
  StartEtcd(1);
  auto client = Client(etcd_->Endpoints());
  std::map<std::string, std::unique_ptr<ClusterAgent>> agents;
  for (const char* id : {"n1", "n2", "n3"})
    agents[id] = ClusterAgent::Start(*client, AgentOptions(id));
  auto agreed = [&] {
    std::string leader;
    for (auto& [id, agent] : agents) {
      ClusterView view = agent->View();
      if (!view.joined || !view.leader || Count(view, MemberState::kReady) != 3) return false;
      if (!leader.empty() && view.leader->node_id != leader) return false;
      leader = view.leader->node_id;
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(agreed));
  ClusterView view = agents.begin()->second->View();
  const std::string first = view.leader->node_id;
  int leaders = 0;
  for (auto& [id, agent] : agents) leaders += agent->View().is_leader ? 1 : 0;
  EXPECT_EQ(leaders, 1);
  // A change every node publishes comes back to each through its watch (the watch lag metric).
  allocated_mib_ = 512;
  EXPECT_TRUE(WaitFor([&] { return watch_lags_.load() >= 3; })) << watch_lags_.load();
  EXPECT_EQ(view.members.members[0].record.labels.at("zone"), "a");
  EXPECT_EQ(view.members.members[1].record.capacity.memory_mib, 16384);

  agents.erase(first);  // resigns and revokes: the others see it gone without waiting the TTL
  ASSERT_TRUE(WaitFor([&] {
    ClusterView v = agents.begin()->second->View();
    return v.leader && v.leader->node_id != first && Count(v, MemberState::kLost) == 1;
  }));
  EXPECT_GE(agents.begin()->second->View().leader_changes, 2);

  // Cordon is visible to all, and only a lost node can be forgotten.
  ClusterAgent& any = *agents.begin()->second;
  const std::string alive = agents.begin()->first;
  ASSERT_TRUE(any.membership().SetCordoned(alive, true).ok());
  ASSERT_TRUE(WaitFor([&] { return Count(any.View(), MemberState::kCordoned) == 1; }));
  EXPECT_EQ(any.membership().Forget(alive).code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(any.membership().Forget(first).ok());
  EXPECT_EQ(any.membership().SetCordoned("nobody", true).code(), ErrorCode::kNotFound);
}

TEST_F(ClusterAgentTest, NodeCutOffFromEtcdFencesBeforeTheOthersSeeItLostThenRejoins) {
  StartEtcd(3);
  // n1 talks to member 0 only; n2 to the others. Pausing member 0 cuts n1 off.
  auto isolated_client = Client({etcd_->Endpoint(0)});
  auto client = Client({etcd_->Endpoint(1), etcd_->Endpoint(2)});
  std::atomic<int64_t> fenced_at{0};
  std::atomic<int> rejoins{0};
  ClusterAgent::Options options = AgentOptions("n1");
  options.on_fenced = [&] { fenced_at = Clock::now().time_since_epoch().count(); };
  options.on_rejoined = [&] { ++rejoins; };
  auto n1 = ClusterAgent::Start(*isolated_client, options);
  auto n2 = ClusterAgent::Start(*client, AgentOptions("n2"));
  ASSERT_TRUE(WaitFor([&] { return Count(n2->View(), MemberState::kReady) == 2; }));
  ASSERT_TRUE(WaitFor([&] { return rejoins.load() == 1; }));  // the first join counts too

  etcd_->Pause(0);
  ASSERT_TRUE(WaitFor([&] { return Count(n2->View(), MemberState::kLost) == 1; }));
  const int64_t seen_lost_at = Clock::now().time_since_epoch().count();
  ASSERT_NE(fenced_at.load(), 0) << "n1 did not fence before n2 saw it lost";
  EXPECT_LE(fenced_at.load(), seen_lost_at);
  EXPECT_FALSE(n1->View().joined);
  ASSERT_TRUE(WaitFor([&] {
    ClusterView v = n2->View();
    return v.is_leader && v.leader->node_id == "n2";
  }));

  etcd_->Resume(0);
  ASSERT_TRUE(WaitFor([&] { return Count(n2->View(), MemberState::kReady) == 2; }));
  EXPECT_GE(rejoins.load(), 2);
  EXPECT_TRUE(WaitFor([&] { return n1->View().joined; }));
  // One leader again, whichever it is: the etcd member's pause and return can cost n2 its lease
  // too on a loaded machine (two elections in etcd), and then n1 may win the next campaign.
  EXPECT_TRUE(WaitFor([&] {
    ClusterView a = n1->View(), b = n2->View();
    return a.leader && b.leader && a.leader->term == b.leader->term && a.is_leader != b.is_leader;
  }));
}

TEST_F(ClusterAgentTest, DeposedLeaderCannotWrite) {
  StartEtcd(1);
  auto client = Client(etcd_->Endpoints());
  LeaderElection n1(*client, "/c/", "n1");
  LeaderElection n2(*client, "/c/", "n2");
  auto lease1 = client->GrantLease(std::chrono::seconds(30));
  auto lease2 = client->GrantLease(std::chrono::seconds(30));
  ASSERT_TRUE(lease1.ok() && lease2.ok());
  auto term1 = n1.Campaign(*lease1);
  ASSERT_TRUE(term1.ok()) << term1.status().ToString();
  EXPECT_EQ(term1->node_id, "n1");
  auto lost = n2.Campaign(*lease2);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->node_id, "n1");  // n1 still leads

  ASSERT_TRUE(client->RevokeLease(*lease1).ok());  // n1's session ends
  auto term2 = n2.Campaign(*lease2);
  ASSERT_TRUE(term2.ok());
  EXPECT_EQ(term2->node_id, "n2");
  EXPECT_NE(term2->term, term1->term);

  auto stale = client->Commit(
      {.compare = {term1->Guard(n1.key())}, .success = {TxnOp::Put("/c/vms/x", "placed by n1")}});
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->succeeded);
  auto fresh = client->Commit(
      {.compare = {term2->Guard(n2.key())}, .success = {TxnOp::Put("/c/vms/x", "placed by n2")}});
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->succeeded);
  EXPECT_EQ((*client->Get("/c/vms/x"))->value, "placed by n2");
  EXPECT_TRUE(n1.Resign(*term1).ok());  // harmless: not its term any more
  EXPECT_EQ((*n2.Current())->node_id, "n2");
}

TEST(NodeRecordTest, RoundTripsAndRefusesBadRecords) {
  NodeRecord record;
  record.node_id = "node-1.a";
  record.labels = {{"rack", "r1"}};
  record.capacity = {16, 65536};
  record.allocated = {2, 4096};
  record.shared_storage = true;
  auto decoded = DecodeNodeRecord(EncodeNodeRecord(record), "/k");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->node_id, "node-1.a");
  EXPECT_EQ(decoded->labels.at("rack"), "r1");
  EXPECT_EQ(decoded->allocated.memory_mib, 4096);
  EXPECT_TRUE(decoded->shared_storage);
  EXPECT_FALSE(DecodeNodeRecord("{", "/k").ok());
  EXPECT_FALSE(DecodeNodeRecord(R"({"node_id": "a/b"})", "/k").ok());
  EXPECT_FALSE(DecodeNodeRecord(R"({"node_id": "n", "labels": {"a": 1}})", "/k").ok());
  EXPECT_FALSE(IsValidNodeId(""));
  EXPECT_FALSE(IsValidNodeId(std::string(64, 'a')));
}

}  // namespace
}  // namespace novacron::cluster
