// VMs in a cluster of three real daemons on a real etcd (docs/cluster.md, "Ownership" and "HA
// failover"): a create through any node is placed by the leader and run by its owner; actions
// through other nodes reach the owner; the placement is explained; kill -9 the owner (which also
// leads): its HA VM runs on another node within lease_ttl + failover_grace + 5 s, its non-HA VM
// is marked node_lost; a delete through any node removes the VM.
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
constexpr int kFailoverGraceSeconds = 1;

std::map<std::string, std::string> Env(const std::string& node_id,
                                       const std::vector<std::string>& endpoints) {
  auto env = ClusterEnv(node_id, endpoints, kLeaseTtlSeconds, "/vms-e2e/");
  env["NOVACRON_CLUSTER_FAILOVER_GRACE"] = std::to_string(kFailoverGraceSeconds) + "s";
  // pack: ties go to the smallest node id, so both VMs land on n1, which also leads.
  env["NOVACRON_CLUSTER_PLACEMENT"] = "pack";
  return env;
}

struct Node {
  TempDir dir;
  DaemonProcess daemon;
  uint16_t port = 0;
};

// How many VMs the node's own hypervisor runs (GET /api/v1/node counts only its own VMs).
int RunningOn(const Node& node) {
  HttpResult got = HttpGet(node.port, "/api/v1/node");
  if (got.status != 200) return -1;
  return json::parse(got.body)["vms"]["running"].get<int>();
}

TEST(ClusterVmsE2eTest, PlacedByTheLeaderRunByTheOwnerFailedOverWhenTheOwnerDies) {
  if (std::string why = EtcdCluster::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.Start().ok());
  std::map<std::string, std::unique_ptr<Node>> nodes;
  // n1 first, so that it leads.
  for (const char* id : {"n1", "n2", "n3"}) {
    auto node = std::make_unique<Node>();
    node->daemon.Start(node->dir.path() / "data", {}, Env(id, etcd.Endpoints()));
    node->port = node->daemon.WaitForApi();
    ASSERT_NE(node->port, 0) << node->daemon.Stderr();
    nodes[id] = std::move(node);
  }
  for (auto& [id, node] : nodes) {
    ASSERT_TRUE(PollJson(node->port, "/api/v1/cluster", [](const json& c) {
      return c["members"]["ready"] == 3 && !c["leader"].is_null();
    })) << id;
  }
  const std::string leader =
      json::parse(HttpGet(nodes["n1"]->port, "/api/v1/cluster").body)["leader"]["node_id"];

  // Created through n3, placed by the leader, run by its owner.
  HttpResult web = HttpCall(nodes["n3"]->port, "POST", "/api/v1/vms?start=true",
                            R"({"name":"web","vcpus":1,"memory_mib":64,"ha":true})");
  ASSERT_EQ(web.status, 201) << web.body;
  HttpResult db = HttpCall(nodes["n2"]->port, "POST", "/api/v1/vms?start=true",
                           R"({"name":"db","vcpus":1,"memory_mib":64})");
  ASSERT_EQ(db.status, 201) << db.body;
  std::optional<json> running = PollJson(nodes["n2"]->port, "/api/v1/vms/web", [](const json& v) {
    return v["state"] == "running" && v["drift"] == "";
  });
  ASSERT_TRUE(running) << HttpGet(nodes["n2"]->port, "/api/v1/vms/web").body;
  const std::string owner = (*running)["node"];
  EXPECT_EQ(owner, "n1");
  ASSERT_TRUE(PollJson(nodes["n3"]->port, "/api/v1/vms/db",
                       [](const json& v) { return v["state"] == "running"; }));
  EXPECT_EQ(RunningOn(*nodes["n1"]), 2);  // web and db
  EXPECT_EQ(RunningOn(*nodes["n2"]), 0);
  EXPECT_EQ(RunningOn(*nodes["n3"]), 0);

  // The placement, explained through any node.
  HttpResult placement = HttpGet(nodes["n2"]->port, "/api/v1/vms/web/placement");
  ASSERT_EQ(placement.status, 200) << placement.body;
  json explained = json::parse(placement.body);
  EXPECT_EQ(explained["node"], "n1");
  EXPECT_EQ(explained["strategy"], "pack");
  EXPECT_EQ(explained["nodes"].size(), 3u);

  // The CLI is the same in both modes: --wait follows a create to running through any node,
  // and `vm placement` explains it.
  const std::string server = "127.0.0.1:" + std::to_string(nodes["n3"]->port);
  CommandResult cli =
      RunNovacron({"vm", "create", "--server", server, "--name", "cli", "--vcpus", "1", "--memory",
                   "64M", "--start", "--wait", "--timeout", "30s"});
  EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_NE(cli.out.find("running"), std::string::npos) << cli.out;
  CommandResult why = RunNovacron({"vm", "placement", "--server", server, "cli"});
  EXPECT_EQ(why.exit_code, 0) << why.out << why.err;
  EXPECT_NE(why.out.find("is on node n1"), std::string::npos) << why.out;

  // A stop and a start through nodes that do not own the VM.
  HttpResult stop = HttpCall(nodes["n2"]->port, "POST", "/api/v1/vms/db/stop");
  ASSERT_EQ(stop.status, 202) << stop.body;
  ASSERT_TRUE(PollJson(nodes["n3"]->port, "/api/v1/vms/db",
                       [](const json& v) { return v["state"] == "stopped"; }));
  EXPECT_EQ(RunningOn(*nodes["n1"]), 2);
  HttpResult start = HttpCall(nodes["n3"]->port, "POST", "/api/v1/vms/db/start");
  ASSERT_EQ(start.status, 202) << start.body;
  ASSERT_TRUE(PollJson(nodes["n2"]->port, "/api/v1/vms/db",
                       [](const json& v) { return v["state"] == "running"; }));
  // A reboot through another node: the owner carries it out and clears the mark.
  HttpResult reboot = HttpCall(nodes["n2"]->port, "POST", "/api/v1/vms/db/reboot");
  ASSERT_EQ(reboot.status, 202) << reboot.body;
  EXPECT_EQ(json::parse(reboot.body)["drift"], "reboot_requested");
  ASSERT_TRUE(PollJson(nodes["n3"]->port, "/api/v1/vms/db",
                       [](const json& v) { return v["state"] == "running" && v["drift"] == ""; }));
  // A resize through other nodes: the owner admits it, or puts the sizes back with the reason.
  ASSERT_EQ(HttpCall(nodes["n2"]->port, "POST", "/api/v1/vms/db/stop").status, 202);
  ASSERT_TRUE(PollJson(nodes["n2"]->port, "/api/v1/vms/db",
                       [](const json& v) { return v["state"] == "stopped"; }));
  const std::map<std::string, std::string> merge = {
      {"Content-Type", "application/merge-patch+json"}};
  HttpResult grow = HttpCall(nodes["n3"]->port, "PATCH", "/api/v1/vms/db", R"({"vcpus":2})", merge);
  ASSERT_EQ(grow.status, 200) << grow.body;
  EXPECT_EQ(json::parse(grow.body)["drift"], "resize_requested");
  EXPECT_TRUE(PollJson(nodes["n2"]->port, "/api/v1/vms/db", [](const json& v) {
    return v["drift"] == "" && v["spec"]["vcpus"] == 2;
  })) << HttpGet(nodes["n2"]->port, "/api/v1/vms/db").body;
  HttpResult too_big =
      HttpCall(nodes["n2"]->port, "PATCH", "/api/v1/vms/db", R"({"vcpus":256})", merge);
  ASSERT_EQ(too_big.status, 200) << too_big.body;
  EXPECT_TRUE(PollJson(nodes["n3"]->port, "/api/v1/vms/db", [](const json& v) {
    return v["drift"] == "" && v["spec"]["vcpus"] == 2 &&
           v["last_error"].get<std::string>().find("resize on node 'n1'") != std::string::npos;
  })) << HttpGet(nodes["n3"]->port, "/api/v1/vms/db").body;
  EXPECT_NE(HttpGet(nodes["n1"]->port, "/metrics")
                .body.find("novacron_vm_operations_total{operation=\"reboot\",result=\"ok\"} 1"),
            std::string::npos);

  // kill -9 the owner: the HA VM runs elsewhere within lease_ttl + failover_grace + 5 s.
  nodes["n1"]->daemon.Signal(SIGKILL);
  ASSERT_TRUE(nodes["n1"]->daemon.WaitExit(seconds(10)).has_value());
  const auto killed_at = std::chrono::steady_clock::now();
  std::optional<json> moved = PollJson(
      nodes["n2"]->port, "/api/v1/vms/web",
      [](const json& v) { return v["state"] == "running" && v["node"] != "n1"; },
      seconds(kLeaseTtlSeconds + kFailoverGraceSeconds + 5 + (leader == "n1" ? 1 : 0)));
  ASSERT_TRUE(moved) << HttpGet(nodes["n2"]->port, "/api/v1/vms/web").body;
  const auto failover = std::chrono::steady_clock::now() - killed_at;
  std::cout << "failover took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(failover).count() << " ms\n";
  const std::string new_owner = (*moved)["node"];
  EXPECT_EQ(RunningOn(*nodes[new_owner]), 1);
  EXPECT_NE((*moved)["last_error"].get<std::string>().find("node 'n1' was lost"),
            std::string::npos);
  // The non-HA VM stays with its node, marked.
  ASSERT_TRUE(PollJson(nodes["n3"]->port, "/api/v1/vms/db", [](const json& v) {
    return v["drift"] == "node_lost" && v["node"] == "n1";
  })) << HttpGet(nodes["n3"]->port, "/api/v1/vms/db").body;

  // A forced delete through the node that does not own it.
  const std::string other = new_owner == "n2" ? "n3" : "n2";
  HttpResult deleted = HttpCall(nodes[other]->port, "DELETE", "/api/v1/vms/web?force=true");
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(HttpGet(nodes[new_owner]->port, "/api/v1/vms/web").status, 404);
  EXPECT_EQ(RunningOn(*nodes[new_owner]), 0);
}

}  // namespace
}  // namespace novacron::testing
