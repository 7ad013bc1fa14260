// Cluster benchmark (issue 9, section 7; docs/cluster.md): real daemons (libvirt's test driver)
// on a real etcd on loopback.
//   1. Failover time: an HA VM runs on a node; the node's daemon is killed (-9); the time until
//      the VM runs on another node, as the API reports it. Median, min and max of N rounds,
//      against the configured bound lease_ttl + failover_grace + 5 s.
//   2. VM create latency: POST /api/v1/vms?start=true until the VM is running, through a
//      3-node cluster vs one standalone daemon (median and p90 of M creates, and the ratio).
// Usage: cluster_bench [--rounds N] [--creates M] [--ttl S] [--grace S] [--quick]
//   (--quick: 1 round, 5 creates; for smoke tests)
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "servers/etcd_cluster.h"
#include "support/process.h"

namespace {

using nlohmann::json;
using novacron::testing::DaemonProcess;
using novacron::testing::EtcdCluster;
using novacron::testing::HttpCall;
using novacron::testing::HttpGet;
using novacron::testing::TempDir;
using Clock = std::chrono::steady_clock;

struct Node {
  std::string id;
  TempDir dir;
  DaemonProcess daemon;
  std::map<std::string, std::string> env;
  uint16_t port = 0;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

// Polls GET /api/v1/vms/<name> on `port` every 10 ms until `done(vm)`; false after `limit`.
template <typename Done>
bool Until(uint16_t port, const std::string& name, Done done, Clock::duration limit) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    auto got = HttpGet(port, "/api/v1/vms/" + name);
    if (got.status == 200) {
      json vm = json::parse(got.body, nullptr, false);
      if (!vm.is_discarded() && done(vm)) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

bool StartNode(Node& node) {
  std::filesystem::remove(node.dir.path() / "data" / "api.addr");
  node.daemon.Start(node.dir.path() / "data", {}, node.env);
  node.port = node.daemon.WaitForApi();
  if (node.port == 0)
    std::fprintf(stderr, "%s did not start:\n%s\n", node.id.c_str(), node.daemon.Stderr().c_str());
  return node.port != 0;
}

// Create-to-running latencies (ms) of `count` VMs through `ports` in turn.
std::vector<double> CreateLatencies(const std::vector<uint16_t>& ports, const std::string& prefix,
                                    int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) {
    const uint16_t port = ports[static_cast<size_t>(i) % ports.size()];
    const std::string name = prefix + std::to_string(i);
    const auto begin = Clock::now();
    auto created = HttpCall(port, "POST", "/api/v1/vms?start=true",
                            R"({"name":")" + name + R"(","vcpus":1,"memory_mib":16})");
    if (created.status != 201) {
      std::fprintf(stderr, "create %s: %d %s\n", name.c_str(), created.status,
                   created.body.c_str());
      continue;
    }
    if (Until(
            port, name, [](const json& vm) { return vm["state"] == "running"; },
            std::chrono::seconds(30))) {
      out.push_back(Ms(Clock::now() - begin));
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  int creates = 40;
  int ttl = 3;
  int grace = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (arg == "--rounds") {
      rounds = next();
    } else if (arg == "--creates") {
      creates = next();
    } else if (arg == "--ttl") {
      ttl = next();
    } else if (arg == "--grace") {
      grace = next();
    } else if (arg == "--quick") {
      rounds = 1;
      creates = 5;
    } else {
      std::fprintf(stderr,
                   "usage: cluster_bench [--rounds N] [--creates M] [--ttl S] [--grace S] "
                   "[--quick]\n");
      return 2;
    }
  }
  if (std::string why = EtcdCluster::SkipReason(); !why.empty()) {
    std::printf("skipped: %s\n", why.c_str());
    return 0;
  }
  EtcdCluster etcd({.members = 3});
  if (auto started = etcd.Start(); !started.ok()) {
    std::fprintf(stderr, "etcd: %s\n", started.ToString().c_str());
    return 1;
  }
  std::string endpoints;
  for (const std::string& e : etcd.Endpoints()) endpoints += (endpoints.empty() ? "" : ",") + e;
  std::vector<std::unique_ptr<Node>> nodes;
  for (const char* id : {"n1", "n2", "n3"}) {
    auto node = std::make_unique<Node>();
    node->id = id;
    node->env = {{"NOVACRON_CLUSTER_MODE", "etcd"},
                 {"NOVACRON_CLUSTER_ETCD_ENDPOINTS", endpoints},
                 {"NOVACRON_CLUSTER_LEASE_TTL", std::to_string(ttl) + "s"},
                 {"NOVACRON_CLUSTER_FAILOVER_GRACE", std::to_string(grace) + "s"},
                 {"NOVACRON_SYSTEM_NODE_ID", id},
                 {"NOVACRON_SYSTEM_LOG_LEVEL", "warn"},
                 // The bench polls every 10 ms from one client.
                 {"NOVACRON_API_RATE_LIMIT", "0"},
                 {"NOVACRON_NETWORK_BIND_PORT", "0"}};
    if (!StartNode(*node)) return 1;
    nodes.push_back(std::move(node));
  }
  auto all_ready = [&] {
    for (auto& node : nodes) {
      const auto end = Clock::now() + std::chrono::seconds(60);
      while (true) {
        auto got = HttpGet(node->port, "/api/v1/cluster");
        json c = json::parse(got.body, nullptr, false);
        if (got.status == 200 && !c.is_discarded() && c["members"]["ready"] == 3) break;
        if (Clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    return true;
  };
  if (!all_ready()) return 1;

  // 1. Failover time.
  std::vector<double> failovers;
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "ha" + std::to_string(round);
    auto created = HttpCall(nodes[0]->port, "POST", "/api/v1/vms?start=true",
                            R"({"name":")" + name + R"(","vcpus":1,"memory_mib":16,"ha":true})");
    if (created.status != 201) return 1;
    std::string owner;
    if (!Until(
            nodes[0]->port, name,
            [&](const json& vm) {
              owner = vm["node"];
              return vm["state"] == "running";
            },
            std::chrono::seconds(30))) {
      return 1;
    }
    Node& victim =
        **std::find_if(nodes.begin(), nodes.end(), [&](auto& n) { return n->id == owner; });
    Node& watcher =
        **std::find_if(nodes.begin(), nodes.end(), [&](auto& n) { return n->id != owner; });
    victim.daemon.Signal(SIGKILL);
    const auto killed = Clock::now();
    victim.daemon.WaitExit(std::chrono::seconds(10));
    if (!Until(
            watcher.port, name,
            [&](const json& vm) { return vm["state"] == "running" && vm["node"] != owner; },
            std::chrono::seconds(60))) {
      std::fprintf(stderr, "round %d: the HA VM did not move\n", round);
      return 1;
    }
    failovers.push_back(Ms(Clock::now() - killed));
    if (!StartNode(victim) || !all_ready()) return 1;
  }
  const double bound_ms = (ttl + grace + 5) * 1000.0;
  std::printf(
      "Failover (kill -9 of the owner -> HA VM running elsewhere), %d rounds, lease_ttl "
      "%ds, failover_grace %ds:\n",
      rounds, ttl, grace);
  std::printf("  %-10s %10s %10s %10s %12s\n", "", "median", "min", "max", "bound");
  std::printf("  %-10s %8.0fms %8.0fms %8.0fms %10.0fms  (%s)\n", "failover",
              Quantile(failovers, 0.5), Quantile(failovers, 0), Quantile(failovers, 1), bound_ms,
              Quantile(failovers, 1) <= bound_ms ? "within" : "OVER");

  // 2. Create latency: cluster vs standalone.
  std::vector<uint16_t> ports;
  for (auto& node : nodes) ports.push_back(node->port);
  std::vector<double> cluster = CreateLatencies(ports, "c", creates);
  Node standalone;
  standalone.id = "standalone";
  standalone.env = {{"NOVACRON_SYSTEM_LOG_LEVEL", "warn"},
                    {"NOVACRON_API_RATE_LIMIT", "0"},
                    {"NOVACRON_NETWORK_BIND_PORT", "0"}};
  if (!StartNode(standalone)) return 1;
  std::vector<double> single = CreateLatencies({standalone.port}, "s", creates);
  if (cluster.empty() || single.empty()) return 1;
  std::printf("\nVM create (POST ?start=true until running), %d each:\n", creates);
  std::printf("  %-22s %10s %10s\n", "", "median", "p90");
  std::printf("  %-22s %8.1fms %8.1fms\n", "3-node cluster (etcd)", Quantile(cluster, 0.5),
              Quantile(cluster, 0.9));
  std::printf("  %-22s %8.1fms %8.1fms\n", "standalone (SQLite)", Quantile(single, 0.5),
              Quantile(single, 0.9));
  std::printf("  ratio cluster/standalone: %.1fx (median)\n",
              Quantile(cluster, 0.5) / Quantile(single, 0.5));
  return 0;
}
