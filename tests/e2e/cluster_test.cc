// Three real daemons on one real etcd (docs/cluster.md): they form one cluster and agree on a
// leader; cordon set through one node shows on the others; leadership moves when the leader is
// killed; a node that stops leaves at once; etcd unreachable at boot is exit 3 naming it.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/cluster_e2e_util.h"
#include "servers/etcd_cluster.h"
#include "servers/server_util.h"
#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kLeaseTtlSeconds = 3;

std::map<std::string, std::string> Env(const std::string& node_id,
                                       const std::vector<std::string>& endpoints) {
  return ClusterEnv(node_id, endpoints, kLeaseTtlSeconds, "/e2e/");
}

struct Node {
  std::string id;
  TempDir dir;
  DaemonProcess daemon;
  uint16_t port = 0;
};

TEST(ClusterE2eTest, ThreeDaemonsFormOneClusterAndLeadershipMovesWhenTheLeaderDies) {
  if (std::string why = EtcdCluster::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.Start().ok());
  std::map<std::string, std::unique_ptr<Node>> nodes;
  for (const char* id : {"n1", "n2", "n3"}) {
    auto node = std::make_unique<Node>();
    node->id = id;
    node->daemon.Start(node->dir.path() / "data", {}, Env(id, etcd.Endpoints()));
    nodes[id] = std::move(node);
  }
  for (auto& [id, node] : nodes) {
    node->port = node->daemon.WaitForApi();
    ASSERT_NE(node->port, 0) << node->daemon.Stderr();
  }
  // Every node sees three ready members and the same leader.
  std::string leader;
  for (auto& [id, node] : nodes) {
    ASSERT_TRUE(PollJson(node->port, "/api/v1/cluster",
                         [&](const json& c) {
                           if (c["members"]["ready"] != 3 || c["leader"].is_null()) return false;
                           if (leader.empty()) leader = c["leader"]["node_id"];
                           return c["leader"]["node_id"] == leader && c["mode"] == "etcd" &&
                                  c["joined"] == true;
                         }))
        << id << ": " << HttpGet(node->port, "/api/v1/cluster").body;
  }
  HttpResult listed = HttpGet(nodes["n1"]->port, "/api/v1/nodes");
  ASSERT_EQ(listed.status, 200);
  json items = json::parse(listed.body)["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]["node_id"], "n1");
  EXPECT_GT(items[0]["capacity"]["vcpus"].get<int>(), 0);
  EXPECT_EQ(items[1]["api_address"].get<std::string>().rfind("127.0.0.1:", 0), 0u);

  // Cordon through one node; the others see it.
  const std::string other = leader == "n2" ? "n3" : "n2";
  HttpResult cordoned = HttpCall(nodes["n1"]->port, "POST", "/api/v1/nodes/" + other + "/cordon");
  ASSERT_EQ(cordoned.status, 200) << cordoned.body;
  EXPECT_EQ(json::parse(cordoned.body)["state"], "cordoned");
  for (auto& [id, node] : nodes) {
    EXPECT_TRUE(PollJson(node->port, "/api/v1/nodes/" + other, [](const json& n) {
      return n["state"] == "cordoned";
    })) << id;
  }
  EXPECT_EQ(HttpCall(nodes["n1"]->port, "POST", "/api/v1/nodes/nobody/cordon").status, 404);

  // kill -9 the leader: another node leads within the lease TTL (+ polling slack).
  Node& dead = *nodes[leader];
  dead.daemon.Signal(SIGKILL);
  ASSERT_TRUE(dead.daemon.WaitExit(seconds(10)).has_value());
  const std::string survivor = leader == "n1" ? "n2" : "n1";
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(PollJson(nodes[survivor]->port, "/api/v1/cluster", [&](const json& c) {
    return !c["leader"].is_null() && c["leader"]["node_id"] != leader && c["members"]["lost"] == 1;
  }));
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, seconds(kLeaseTtlSeconds + 5));
  HttpResult metrics = HttpGet(nodes[survivor]->port, "/metrics");
  EXPECT_NE(metrics.body.find("novacron_cluster_members{state=\"lost\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("novacron_cluster_leader_changes_total"), std::string::npos);

  // A node that stops cleanly revokes its lease: the others see it lost without waiting.
  const std::string third = (leader != "n3" && survivor != "n3") ? "n3" : "n2";
  nodes[third]->daemon.Signal(SIGTERM);
  ASSERT_EQ(nodes[third]->daemon.WaitExit(seconds(30)), 0) << nodes[third]->daemon.Stderr();
  EXPECT_TRUE(PollJson(
      nodes[survivor]->port, "/api/v1/cluster",
      [](const json& c) { return c["members"]["lost"] == 2; },
      std::chrono::milliseconds(kLeaseTtlSeconds * 1000 / 2)));
}

TEST(ClusterE2eTest, EtcdUnreachableAtBootIsExit3NamingTheEndpoints) {
  TempDir dir;
  DaemonProcess daemon;
  const std::string endpoint = "127.0.0.1:" + std::to_string(PickFreePort());
  auto env = Env("n1", {endpoint});
  env["NOVACRON_CLUSTER_ETCD_DIAL_TIMEOUT"] = "2s";
  daemon.Start(dir.path() / "data", {}, env);
  std::optional<int> code = daemon.WaitExit(seconds(60));
  ASSERT_TRUE(code.has_value()) << daemon.Stderr();
  EXPECT_EQ(*code, 3) << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("cannot reach etcd at " + endpoint), std::string::npos)
      << daemon.Stderr();
}

TEST(ClusterE2eTest, StandaloneAnswersTheClusterRoutesWithItselfAlone) {
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data");
  uint16_t port = daemon.WaitForApi();
  ASSERT_NE(port, 0) << daemon.Stderr();
  HttpResult cluster = HttpGet(port, "/api/v1/cluster");
  ASSERT_EQ(cluster.status, 200);
  json c = json::parse(cluster.body);
  EXPECT_EQ(c["mode"], "standalone");
  EXPECT_EQ(c["members"]["ready"], 1);
  EXPECT_EQ(c["leader"]["node_id"], c["node_id"]);
  EXPECT_FALSE(c.contains("etcd"));
  HttpResult cordon =
      HttpCall(port, "POST", "/api/v1/nodes/" + c["node_id"].get<std::string>() + "/cordon");
  EXPECT_EQ(cordon.status, 409) << cordon.body;
  EXPECT_NE(cordon.body.find("cluster.mode etcd"), std::string::npos) << cordon.body;
}

}  // namespace
}  // namespace novacron::testing
