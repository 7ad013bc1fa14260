// Placement benchmark (issue 9, section 7): runs the placement simulator at 10,000 nodes x 100,000
// VMs of mixed sizes with spread and with pack, and prints the time per decision and the nodes
// used against the lower bound, with the goals (<= 1 ms median per decision; pack uses
// <= 1.05 x the lower bound) marked met or NOT met. Also times one explained decision (what
// `novacron vm placement ID` costs) over the same number of nodes.
// Usage: placement_bench [--quick] [--nodes N] [--vms M] [--seed S]
//   (--quick: 1,000 nodes x 10,000 VMs; for smoke tests)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cluster/placement.h"
#include "cluster/placement_sim.h"

namespace {

using novacron::cluster::NodeResources;
using novacron::cluster::Place;
using novacron::cluster::PlacementNode;
using novacron::cluster::PlacementRequest;
using novacron::cluster::PlacementSimOptions;
using novacron::cluster::PlacementSimResult;
using novacron::cluster::PlacementStrategy;
using novacron::cluster::RunPlacementSim;
using Clock = std::chrono::steady_clock;

constexpr double kMaxMedianMs = 1.0;
constexpr double kMaxPackRatio = 1.05;

struct Row {
  std::string name;
  PlacementSimResult result;
};

PlacementSimResult Run(const PlacementSimOptions& options) {
  auto result = RunPlacementSim(options);
  if (!result.ok()) {
    std::fprintf(stderr, "placement_bench: %s\n", result.status().ToString().c_str());
    std::exit(2);
  }
  return std::move(result).value();
}

// Median time of one Place(explain=true) over `nodes` half-full nodes, in milliseconds.
double ExplainMedianMs(int64_t node_count, int repeats) {
  std::vector<PlacementNode> nodes(static_cast<std::size_t>(node_count));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].record.node_id = "node-" + std::to_string(1'000'000 + i);
    nodes[i].record.capacity = {64, 256 * 1024};
    nodes[i].record.allocated = {static_cast<int64_t>(i % 64),
                                 static_cast<int64_t>(i % 256) * 1024};
  }
  const PlacementRequest vm{"vm", 4, 16 * 1024, {}, ""};
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    const auto decision = Place(vm, nodes, PlacementStrategy::kSpread, /*explain=*/true);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (decision.verdicts.size() != nodes.size()) std::exit(1);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

const char* Verdict(bool met) { return met ? "met" : "NOT met"; }

}  // namespace

int main(int argc, char** argv) {
  PlacementSimOptions base{.nodes = 10'000, .vms = 100'000, .seed = 1};
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
      base.nodes = 1'000;
      base.vms = 10'000;
    } else if (std::strcmp(argv[i], "--nodes") == 0 && has_value) {
      base.nodes = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--vms") == 0 && has_value) {
      base.vms = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--seed") == 0 && has_value) {
      base.seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: placement_bench [--quick] [--nodes N] [--vms M] [--seed S]\n");
      return 2;
    }
  }
  const NodeResources& cap = base.node_capacity;
  std::printf("NovaCron placement benchmark%s: %lld nodes of %lld vCPUs / %lld GiB, %lld VMs\n",
              quick ? " [quick]" : "", static_cast<long long>(base.nodes),
              static_cast<long long>(cap.vcpus), static_cast<long long>(cap.memory_mib / 1024),
              static_cast<long long>(base.vms));
  std::printf(
      "VMs: 1/2/4/8/16 vCPUs (30/30/25/10/5 %%), 2/4/8 GiB per vCPU, seed %llu; each placed with\n"
      "the real Place() (explain=false) and booked on its node. Lower bound: max over vcpus and\n"
      "memory of ceil(placed demand / node capacity).\n\n",
      static_cast<unsigned long long>(base.seed));

  std::vector<Row> rows;
  PlacementSimOptions spread = base;
  spread.strategy = PlacementStrategy::kSpread;
  rows.push_back({"spread", Run(spread)});
  PlacementSimOptions pack = base;
  pack.strategy = PlacementStrategy::kPack;
  rows.push_back({"pack", Run(pack)});
  PlacementSimOptions pack_ffd = pack;
  pack_ffd.largest_first = true;
  rows.push_back({"pack, largest first", Run(pack_ffd)});

  std::printf("| %-19s | %7s | %8s | %9s | %8s | %8s | %10s | %11s | %12s | %7s |\n", "strategy",
              "placed", "unplaced", "median us", "p99 us", "mean us", "nodes used", "lower bound",
              "used / bound", "run s");
  std::printf(
      "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(21, '-').c_str(),
      std::string(9, '-').c_str(), std::string(10, '-').c_str(), std::string(11, '-').c_str(),
      std::string(10, '-').c_str(), std::string(10, '-').c_str(), std::string(12, '-').c_str(),
      std::string(13, '-').c_str(), std::string(14, '-').c_str(), std::string(9, '-').c_str());
  for (const Row& row : rows) {
    const PlacementSimResult& r = row.result;
    std::printf(
        "| %-19s | %7lld | %8lld | %9.1f | %8.1f | %8.1f | %10lld | %11lld | %12.3f | %7.1f |\n",
        row.name.c_str(), static_cast<long long>(r.placed), static_cast<long long>(r.unplaced),
        r.median_us, r.p99_us, r.mean_us, static_cast<long long>(r.nodes_used),
        static_cast<long long>(r.lower_bound), r.used_over_bound, r.total_seconds);
  }
  std::printf(
      "  (pack places VMs as they come, like live creates; \"largest first\" sorts them by\n"
      "   size first, first-fit-decreasing, for comparison only)\n");

  const PlacementSimResult& s = rows[0].result;
  const PlacementSimResult& p = rows[1].result;
  const bool spread_fast = s.median_us / 1000.0 <= kMaxMedianMs;
  const bool pack_fast = p.median_us / 1000.0 <= kMaxMedianMs;
  const bool pack_tight = p.unplaced == 0 && p.used_over_bound <= kMaxPackRatio;
  std::printf("\nGoals (issue 9, section 7):\n");
  std::printf("| %-44s | %12s | %-7s |\n", "goal", "measured", "");
  std::printf("|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(14, '-').c_str(),
              std::string(9, '-').c_str());
  std::printf("| %-44s | %9.3f ms | %-7s |\n", "median time per decision <= 1 ms, spread",
              s.median_us / 1000.0, Verdict(spread_fast));
  std::printf("| %-44s | %9.3f ms | %-7s |\n", "median time per decision <= 1 ms, pack",
              p.median_us / 1000.0, Verdict(pack_fast));
  std::printf("| %-44s | %12.3f | %-7s |\n", "pack: nodes used <= 1.05 x lower bound",
              p.used_over_bound, Verdict(pack_tight));

  const int repeats = quick ? 5 : 21;
  std::printf(
      "\nOne explained decision (every node's verdict, sorted) over %lld nodes: %.2f ms "
      "(median of %d)\n",
      static_cast<long long>(base.nodes), ExplainMedianMs(base.nodes, repeats), repeats);
  return 0;
}
