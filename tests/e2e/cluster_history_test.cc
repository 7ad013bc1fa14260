// A history check under chaos (docs/cluster.md, "What the tests show"): three clients create,
// update and delete VMs through all three nodes while daemons are killed and restarted and etcd
// members are killed and restarted. Every answer is recorded; afterwards the final state must
// agree with every acknowledged write (an acknowledged create exists unless it was deleted, an
// acknowledged delete stays deleted, a VM's label holds the last acknowledged value or one whose
// outcome was unknown), no two updates through If-Match were both accepted on the same version
// (no lost update), and no VM ever ran on two nodes.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "e2e/cluster_e2e_util.h"
#include "servers/etcd_cluster.h"
#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kClients = 3;
constexpr int kOpsPerClient = 120;                    // bounded in count ...
constexpr auto kChaosFor = std::chrono::seconds(40);  // ... and in time

struct Node {
  std::string id;
  TempDir dir;
  DaemonProcess daemon;
  std::map<std::string, std::string> env;
  std::atomic<uint16_t> port{0};  // 0 while down
};

// What one client saw, in its own order.
struct ClientHistory {
  std::vector<std::string> created;        // 201
  std::vector<std::string> maybe_created;  // no answer, or 5xx
  std::set<std::string> deleted;           // 204 or 404 after an acknowledged create
  std::set<std::string> maybe_deleted;
  // name -> values written to label "v", in order, each with whether it was acknowledged.
  std::map<std::string, std::vector<std::pair<std::string, bool>>> writes;
  std::vector<int64_t> shared_bases;  // versions an acknowledged If-Match update was based on
};

bool Unknown(int status) { return status == 0 || status >= 500; }

void RunClient(int client, std::vector<std::unique_ptr<Node>>& nodes, ClientHistory& history,
               const std::chrono::steady_clock::time_point until) {
  std::mt19937 rng(1000 + client);
  auto port = [&]() -> uint16_t {
    for (int tries = 0; tries < 10; ++tries) {
      uint16_t p = nodes[rng() % nodes.size()]->port.load();
      if (p != 0) return p;
    }
    return nodes[0]->port.load();
  };
  std::vector<std::string> live;
  for (int op = 0; op < kOpsPerClient && std::chrono::steady_clock::now() < until; ++op) {
    const int dice = static_cast<int>(rng() % 100);
    if (dice < 35 || live.empty()) {
      std::string name = "h" + std::to_string(client) + "-" + std::to_string(op);
      HttpResult r = HttpCall(port(), "POST", "/api/v1/vms",
                              R"({"name":")" + name + R"(","vcpus":1,"memory_mib":16})");
      if (r.status == 201) {
        history.created.push_back(name);
        live.push_back(name);
      } else if (Unknown(r.status)) {
        history.maybe_created.push_back(name);
      }
    } else if (dice < 70) {
      const std::string& name = live[rng() % live.size()];
      std::string value = std::to_string(client) + "-" + std::to_string(op);
      HttpResult r =
          HttpCall(port(), "PATCH", "/api/v1/vms/" + name, R"({"labels":{"v":")" + value + R"("}})",
                   {{"Content-Type", "application/merge-patch+json"}});
      if (r.status == 200 || Unknown(r.status)) {
        history.writes[name].emplace_back(value, r.status == 200);
      }
    } else if (dice < 88) {
      HttpResult got = HttpGet(port(), "/api/v1/vms/shared");
      if (got.status != 200) continue;
      const int64_t base = json::parse(got.body)["version"].get<int64_t>();
      HttpResult r = HttpCall(
          port(), "PATCH", "/api/v1/vms/shared",
          R"({"labels":{"w":")" + std::to_string(client) + "-" + std::to_string(op) + R"("}})",
          {{"Content-Type", "application/merge-patch+json"},
           {"If-Match", "\"" + std::to_string(base) + "\""}});
      if (r.status == 200) history.shared_bases.push_back(base);
    } else {
      const size_t pick = rng() % live.size();
      const std::string name = live[pick];
      HttpResult r = HttpCall(port(), "DELETE", "/api/v1/vms/" + name + "?force=true");
      if (r.status == 204 || r.status == 404) {
        history.deleted.insert(name);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(pick));
      } else if (Unknown(r.status)) {
        history.maybe_deleted.insert(name);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(pick));
      }
    }
  }
}

TEST(ClusterHistoryE2eTest, AcknowledgedWritesSurviveKillsOfDaemonsAndEtcdMembers) {
  if (std::string why = EtcdCluster::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  EtcdCluster etcd({.members = 3});
  ASSERT_TRUE(etcd.Start().ok());
  std::vector<std::unique_ptr<Node>> nodes;
  for (const char* id : {"n1", "n2", "n3"}) {
    auto node = std::make_unique<Node>();
    node->id = id;
    node->env = ClusterEnv(id, etcd.Endpoints(), 3, "/history/");
    node->daemon.Start(node->dir.path() / "data", {}, node->env);
    node->port = node->daemon.WaitForApi();
    ASSERT_NE(node->port.load(), 0) << node->daemon.Stderr();
    nodes.push_back(std::move(node));
  }
  for (auto& node : nodes) {
    ASSERT_TRUE(PollJson(node->port, "/api/v1/cluster",
                         [](const json& c) { return c["members"]["ready"] == 3; }));
  }
  ASSERT_EQ(HttpCall(nodes[0]->port, "POST", "/api/v1/vms",
                     R"({"name":"shared","vcpus":1,"memory_mib":16})")
                .status,
            201);

  const auto until = std::chrono::steady_clock::now() + kChaosFor;
  std::vector<ClientHistory> histories(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] { RunClient(c, nodes, histories[c], until); });
  }
  // Chaos: one fault at a time - a daemon killed (-9) or an etcd member killed - each healed
  // 4 s later. Bounded by the same deadline.
  std::mt19937 rng(7);
  int faults = 0;
  while (std::chrono::steady_clock::now() + seconds(10) < until) {
    std::this_thread::sleep_for(seconds(3));
    if (faults % 2 == 0) {
      Node& victim = *nodes[rng() % nodes.size()];
      victim.port = 0;
      victim.daemon.Signal(SIGKILL);
      victim.daemon.WaitExit(seconds(10));
      std::this_thread::sleep_for(seconds(4));
      std::filesystem::remove(victim.dir.path() / "data" / "api.addr");
      victim.daemon.Start(victim.dir.path() / "data", {}, victim.env);
      victim.port = victim.daemon.WaitForApi();
      ASSERT_NE(victim.port.load(), 0) << victim.daemon.Stderr();
    } else {
      const int member = static_cast<int>(rng() % 3);
      etcd.Kill(member);
      std::this_thread::sleep_for(seconds(4));
      ASSERT_TRUE(etcd.Restart(member).ok());
    }
    ++faults;
  }
  for (std::thread& t : clients) t.join();
  EXPECT_GE(faults, 3);

  // Converged: all members ready, no VM still on its way somewhere.
  for (auto& node : nodes) {
    ASSERT_TRUE(PollJson(
        node->port, "/api/v1/cluster", [](const json& c) { return c["members"]["ready"] == 3; },
        seconds(60)));
  }
  ASSERT_TRUE(PollJson(
      nodes[0]->port, "/api/v1/vms?limit=1000",
      [](const json& list) {
        for (const json& vm : list["items"]) {
          if (vm["state"] == "deleting" || vm["drift"] == "unplaced" ||
              vm["drift"] == "not_defined" || vm["drift"] == "node_lost") {
            return false;
          }
        }
        return true;
      },
      seconds(90)))
      << HttpGet(nodes[0]->port, "/api/v1/vms?limit=1000").body;

  std::map<std::string, json> final_vms;
  json list = json::parse(HttpGet(nodes[1]->port, "/api/v1/vms?limit=1000").body);
  for (const json& vm : list["items"]) final_vms[vm["name"].get<std::string>()] = vm;

  int acknowledged = 0;
  std::set<int64_t> bases;
  for (const ClientHistory& h : histories) {
    for (const std::string& name : h.created) {
      ++acknowledged;
      if (h.deleted.count(name) > 0) {
        EXPECT_EQ(final_vms.count(name), 0u) << name << ": an acknowledged delete came back";
      } else if (h.maybe_deleted.count(name) == 0) {
        EXPECT_EQ(final_vms.count(name), 1u) << name << ": an acknowledged create was lost";
      }
    }
    for (const auto& [name, writes] : h.writes) {
      if (final_vms.count(name) == 0) continue;
      // The final value: the last acknowledged one, or one written after it whose outcome is
      // unknown (or, with none acknowledged, any of the unknown ones or none).
      std::set<std::string> allowed;
      for (auto it = writes.rbegin(); it != writes.rend(); ++it) {
        allowed.insert(it->first);
        ++acknowledged;
        if (it->second) break;
      }
      const json& labels = final_vms[name]["spec"]["labels"];
      const bool any_acked =
          std::any_of(writes.begin(), writes.end(), [](const auto& w) { return w.second; });
      if (labels.contains("v")) {
        EXPECT_EQ(allowed.count(labels["v"].get<std::string>()), 1u)
            << name << " holds " << labels["v"] << ", which no allowed write wrote";
      } else {
        EXPECT_FALSE(any_acked) << name << ": an acknowledged update was lost";
      }
    }
    for (int64_t base : h.shared_bases) {
      EXPECT_TRUE(bases.insert(base).second)
          << "two If-Match updates were both accepted on version " << base << " (a lost update)";
    }
  }
  EXPECT_GT(acknowledged, 30);
  // No VM runs on two nodes.
  std::map<std::string, int> copies;
  for (auto& node : nodes) {
    json domains = json::parse(HttpGet(node->port, "/api/v1/node/domains").body);
    for (const json& d : domains["items"]) {
      if (d["power"] == "running") ++copies[d["uuid"].get<std::string>()];
    }
  }
  for (const auto& [name, vm] : final_vms) {
    EXPECT_LE(copies[vm["id"].get<std::string>()], 1) << name << " runs on two nodes";
  }
  std::cout << "history: " << acknowledged << " acknowledged writes, " << bases.size()
            << " If-Match updates, " << faults << " faults, " << final_vms.size()
            << " VMs at the end\n";
}

}  // namespace
}  // namespace novacron::testing
