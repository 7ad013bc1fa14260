// Failures a cluster must ride out (docs/cluster.md, "Fencing", "etcd without quorum"), with real
// daemons and a real etcd:
//   - one node cut off etcd (a fault-injecting TCP proxy between it and etcd, while the test still
//     reaches its API): it fences, its HA VM restarts elsewhere, its non-HA VM keeps running, and
//     a checker polling every node's hypervisor never sees a VM running on two nodes at once; when
//     the link heals the node rejoins and drops its copy of the moved VM;
//   - the etcd leader killed: the cluster keeps serving; two of three members killed: reads are
//     answered from the last known state with a Warning header, writes are 503 naming etcd, the
//     VMs keep running; the members restarted: writes work again.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "e2e/cluster_e2e_util.h"
#include "servers/etcd_cluster.h"
#include "servers/tcp_proxy.h"
#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kLeaseTtlSeconds = 3;

struct Node {
  std::string id;
  TempDir dir;
  DaemonProcess daemon;
  uint16_t port = 0;
};

// The uuids of the domains the node's hypervisor runs now; nullopt when it did not answer.
std::optional<std::set<std::string>> RunningDomains(uint16_t port) {
  HttpResult got = HttpGet(port, "/api/v1/node/domains");
  if (got.status != 200) return std::nullopt;
  json body = json::parse(got.body, nullptr, false);
  if (body.is_discarded()) return std::nullopt;
  std::set<std::string> running;
  for (const json& d : body["items"]) {
    if (d["power"] == "running") running.insert(d["uuid"].get<std::string>());
  }
  return running;
}

// Polls every node's hypervisor until stopped; remembers any VM seen running on two nodes in
// one round. A round reads the nodes one after the other within milliseconds; a VM that moves
// is off on its old node for at least cluster.failover_grace before it starts on the new one,
// so a round never sees a legitimate move as two copies.
// Only `vms` count: libvirt's test driver has a domain of its own ("test", same uuid on every
// node) that is no VM of ours.
class SplitBrainChecker {
 public:
  SplitBrainChecker(std::vector<uint16_t> ports, std::set<std::string> vms)
      : ports_(std::move(ports)), vms_(std::move(vms)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~SplitBrainChecker() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int rounds() const { return rounds_.load(); }
  std::vector<std::string> doubles() const {
    std::lock_guard lock(mu_);
    return doubles_;
  }

 private:
  void Run() {
    while (!stop_.load()) {
      std::map<std::string, int> copies;
      for (uint16_t port : ports_) {
        std::optional<std::set<std::string>> running = RunningDomains(port);
        if (!running) continue;
        for (const std::string& uuid : *running) {
          if (vms_.count(uuid) > 0) ++copies[uuid];
        }
      }
      for (const auto& [uuid, count] : copies) {
        if (count > 1) {
          std::lock_guard lock(mu_);
          doubles_.push_back(uuid);
        }
      }
      ++rounds_;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  const std::vector<uint16_t> ports_;
  const std::set<std::string> vms_;
  std::atomic<bool> stop_{false};
  std::atomic<int> rounds_{0};
  mutable std::mutex mu_;
  std::vector<std::string> doubles_;  // guarded by mu_
  std::thread thread_;
};

// Starts a daemon per entry of `envs` (node id -> environment) and waits until every one sees
// them all ready. Fails the test (and returns an incomplete map) when one does not come up.
std::map<std::string, std::unique_ptr<Node>> StartCluster(
    const std::map<std::string, std::map<std::string, std::string>>& envs) {
  std::map<std::string, std::unique_ptr<Node>> nodes;
  for (const auto& [id, env] : envs) {
    auto node = std::make_unique<Node>();
    node->id = id;
    node->daemon.Start(node->dir.path() / "data", {}, env);
    node->port = node->daemon.WaitForApi();
    EXPECT_NE(node->port, 0) << node->daemon.Stderr();
    if (node->port == 0) return {};
    nodes[id] = std::move(node);
  }
  for (auto& [id, node] : nodes) {
    EXPECT_TRUE(PollJson(node->port, "/api/v1/cluster", [&](const json& c) {
      return c["members"]["ready"] == static_cast<int>(envs.size());
    })) << id;
  }
  return nodes;
}

std::string IdOf(uint16_t port, const std::string& vm) {
  return json::parse(HttpGet(port, "/api/v1/vms/" + vm).body)["id"].get<std::string>();
}

TEST(ClusterChaosE2eTest, ANodeCutOffEtcdFencesAndNoVmEverRunsTwice) {
  if (std::string why = EtcdCluster::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.Start().ok());
  std::map<std::string, std::unique_ptr<TcpProxy>> links;
  std::map<std::string, std::map<std::string, std::string>> envs;
  for (const char* id : {"n1", "n2", "n3"}) {
    links[id] = std::make_unique<TcpProxy>(etcd.Endpoint(0));
    ASSERT_TRUE(links[id]->Start().ok());
    envs[id] = ClusterEnv(id, {links[id]->Endpoint()}, kLeaseTtlSeconds, "/chaos/");
    envs[id]["NOVACRON_CLUSTER_FAILOVER_GRACE"] = "1s";
    envs[id]["NOVACRON_CLUSTER_PLACEMENT"] = "pack";  // both VMs on n1
  }
  std::map<std::string, std::unique_ptr<Node>> nodes = StartCluster(envs);
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_EQ(HttpCall(nodes["n2"]->port, "POST", "/api/v1/vms?start=true",
                     R"({"name":"web","vcpus":1,"memory_mib":64,"ha":true})")
                .status,
            201);
  ASSERT_EQ(HttpCall(nodes["n3"]->port, "POST", "/api/v1/vms?start=true",
                     R"({"name":"db","vcpus":1,"memory_mib":64})")
                .status,
            201);
  for (const char* vm : {"web", "db"}) {
    ASSERT_TRUE(PollJson(nodes["n2"]->port, std::string("/api/v1/vms/") + vm, [](const json& v) {
      return v["state"] == "running" && v["node"] == "n1";
    })) << HttpGet(nodes["n2"]->port, std::string("/api/v1/vms/") + vm).body;
  }
  const std::string web = IdOf(nodes["n2"]->port, "web");
  const std::string db = IdOf(nodes["n2"]->port, "db");

  SplitBrainChecker checker({nodes["n1"]->port, nodes["n2"]->port, nodes["n3"]->port}, {web, db});
  links["n1"]->Cut();
  // n1 fences within its lease: the HA VM is off there, the other one still runs.
  ASSERT_TRUE(PollJson(
      nodes["n1"]->port, "/api/v1/cluster", [](const json& c) { return c["joined"] == false; },
      seconds(kLeaseTtlSeconds + 5)));
  std::optional<json> moved = PollJson(
      nodes["n2"]->port, "/api/v1/vms/web",
      [](const json& v) { return v["state"] == "running" && v["node"] != "n1"; }, seconds(20));
  ASSERT_TRUE(moved) << HttpGet(nodes["n2"]->port, "/api/v1/vms/web").body;
  std::optional<std::set<std::string>> on_n1 = RunningDomains(nodes["n1"]->port);
  ASSERT_TRUE(on_n1);
  EXPECT_EQ(on_n1->count(web), 0u) << "the fenced node still runs the HA VM";
  EXPECT_EQ(on_n1->count(db), 1u) << "a non-HA VM keeps running through the outage";
  // Actions on the fenced node's own VMs are refused while it is fenced.
  EXPECT_EQ(HttpCall(nodes["n1"]->port, "POST", "/api/v1/vms/db/stop").status, 503);

  links["n1"]->Heal();
  ASSERT_TRUE(PollJson(
      nodes["n1"]->port, "/api/v1/cluster", [](const json& c) { return c["joined"] == true; },
      seconds(20)));
  // Rejoined: its copy of the moved VM is undefined (the record is another node's now).
  const auto until = std::chrono::steady_clock::now() + seconds(20);
  bool dropped = false;
  while (!dropped && std::chrono::steady_clock::now() < until) {
    HttpResult domains = HttpGet(nodes["n1"]->port, "/api/v1/node/domains");
    dropped = domains.status == 200 && domains.body.find(web) == std::string::npos;
    if (!dropped) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(dropped) << HttpGet(nodes["n1"]->port, "/api/v1/node/domains").body;
  checker.Stop();
  EXPECT_GT(checker.rounds(), 20);
  EXPECT_TRUE(checker.doubles().empty())
      << "a VM ran on two nodes at once: " << checker.doubles()[0];
  // The non-HA VM stayed with n1 and is plainly running again (its node_lost mark cleared).
  EXPECT_TRUE(PollJson(nodes["n3"]->port, "/api/v1/vms/db", [](const json& v) {
    return v["state"] == "running" && v["node"] == "n1" && v["drift"] == "";
  })) << HttpGet(nodes["n3"]->port, "/api/v1/vms/db").body;
}

TEST(ClusterChaosE2eTest, EtcdLeaderLossIsRiddenOutAndQuorumLossServesReadsRefusesWrites) {
  if (std::string why = EtcdCluster::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  EtcdCluster etcd({.members = 3});
  ASSERT_TRUE(etcd.Start().ok());
  std::map<std::string, std::map<std::string, std::string>> envs;
  for (const char* id : {"n1", "n2", "n3"}) {
    envs[id] = ClusterEnv(id, etcd.Endpoints(), kLeaseTtlSeconds, "/quorum/");
  }
  std::map<std::string, std::unique_ptr<Node>> nodes = StartCluster(envs);
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_EQ(HttpCall(nodes["n1"]->port, "POST", "/api/v1/vms?start=true",
                     R"({"name":"app","vcpus":1,"memory_mib":64})")
                .status,
            201);
  std::optional<json> app = PollJson(nodes["n2"]->port, "/api/v1/vms/app",
                                     [](const json& v) { return v["state"] == "running"; });
  ASSERT_TRUE(app);
  const std::string owner = (*app)["node"];
  const std::string app_id = (*app)["id"];

  // The etcd leader dies: the cluster keeps serving writes (after the election).
  const int etcd_leader = etcd.Leader();
  ASSERT_GE(etcd_leader, 0);
  etcd.Kill(etcd_leader);
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  int created = 0;
  while (created != 201 && std::chrono::steady_clock::now() < deadline) {
    created = HttpCall(nodes["n3"]->port, "POST", "/api/v1/vms",
                       R"({"name":"after-leader-loss","vcpus":1,"memory_mib":64})")
                  .status;
    if (created != 201) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(created, 201);

  // A second member dies: no quorum. Reads answer with a warning, writes 503 naming etcd.
  const int second = (etcd_leader + 1) % 3;
  etcd.Kill(second);
  const auto refused_by = std::chrono::steady_clock::now();
  HttpResult write =
      HttpCall(nodes["n2"]->port, "POST", "/api/v1/vms",
               R"({"name":"during-outage","vcpus":1,"memory_mib":64})", {}, seconds(30));
  EXPECT_EQ(write.status, 503) << write.body;
  EXPECT_NE(write.body.find("etcd"), std::string::npos) << write.body;
  EXPECT_LT(std::chrono::steady_clock::now() - refused_by, seconds(15)) << "a write hung";
  HttpResult read = HttpGet(nodes["n2"]->port, "/api/v1/vms/app");
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_NE(read.warning.find("110"), std::string::npos) << read.warning;
  HttpResult listed = HttpGet(nodes["n1"]->port, "/api/v1/vms");
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("after-leader-loss"), std::string::npos);
  EXPECT_NE(listed.warning.find("no quorum"), std::string::npos) << listed.warning;
  // The VM itself is untouched: still running on its owner.
  std::optional<std::set<std::string>> running = RunningDomains(nodes[owner]->port);
  ASSERT_TRUE(running);
  EXPECT_EQ(running->count(app_id), 1u);

  // Quorum returns: writes work again, everything converges.
  ASSERT_TRUE(etcd.Restart(second).ok());
  ASSERT_TRUE(etcd.Restart(etcd_leader).ok());
  const auto back = std::chrono::steady_clock::now() + seconds(30);
  int status = 0;
  while (status != 201 && std::chrono::steady_clock::now() < back) {
    status = HttpCall(nodes["n2"]->port, "POST", "/api/v1/vms",
                      R"({"name":"after-outage","vcpus":1,"memory_mib":64})")
                 .status;
    if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_EQ(status, 201);
  // The write went through n2's etcd client, so its reads are current again at once.
  EXPECT_EQ(HttpGet(nodes["n2"]->port, "/api/v1/vms/app").warning, "");
  // Another node's reads: current again within its next linearizable probe (every 2 s).
  const auto probe_by = std::chrono::steady_clock::now() + seconds(10);
  std::string warning = "unset";
  while (!warning.empty() && std::chrono::steady_clock::now() < probe_by) {
    warning = HttpGet(nodes["n3"]->port, "/api/v1/vms/app").warning;
    if (!warning.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(warning, "");
  for (auto& [id, node] : nodes) {
    EXPECT_TRUE(PollJson(node->port, "/api/v1/cluster", [](const json& c) {
      return c["members"]["ready"] == 3;
    })) << id;
  }
  EXPECT_TRUE(PollJson(nodes["n1"]->port, "/api/v1/vms/after-outage",
                       [](const json& v) { return !v["node"].get<std::string>().empty(); }));
}

}  // namespace
}  // namespace novacron::testing
