// The placement simulator: generates the nodes and VMs (sizes in placement_sim.h), places them
// one by one with the real Place(), times each decision and compares the nodes used with the
// lower bound.
#include "cluster/placement_sim.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>
#include <utility>

namespace novacron::cluster {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kMaxCount = 10'000'000;
constexpr std::array<int64_t, 5> kVcpuSizes = {1, 2, 4, 8, 16};
constexpr std::array<double, 5> kVcpuWeights = {30, 30, 25, 10, 5};
constexpr std::array<int64_t, 3> kGibPerVcpu = {2, 4, 8};

std::string ZoneName(int64_t zone) { return "z" + std::to_string(zone); }

// "node-0042" for index 42 of 1000 nodes: zero-padded, so node ids sort like their indexes.
std::string NodeName(int64_t index, int64_t count) {
  const std::string digits = std::to_string(index);
  const std::size_t width = std::to_string(std::max<int64_t>(count - 1, 0)).size();
  std::string id = "node-";
  id.append(width - std::min(width, digits.size()), '0');
  id += digits;
  return id;
}

std::vector<PlacementNode> MakeNodes(const PlacementSimOptions& options) {
  std::vector<PlacementNode> nodes(static_cast<std::size_t>(options.nodes));
  for (int64_t i = 0; i < options.nodes; ++i) {
    NodeRecord& r = nodes[static_cast<std::size_t>(i)].record;
    r.node_id = NodeName(i, options.nodes);
    r.capacity = options.node_capacity;
    if (options.zones > 1) r.labels["zone"] = ZoneName(i % options.zones);
  }
  return nodes;
}

std::vector<PlacementRequest> MakeVms(const PlacementSimOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::discrete_distribution<std::size_t> vcpu_size(kVcpuWeights.begin(), kVcpuWeights.end());
  std::uniform_int_distribution<std::size_t> gib_per_vcpu(0, kGibPerVcpu.size() - 1);
  std::uniform_int_distribution<int64_t> zone(0, options.zones - 1);
  std::bernoulli_distribution selects_zone(options.zones > 1 ? options.zone_selector_share : 0.0);
  std::vector<PlacementRequest> vms(static_cast<std::size_t>(options.vms));
  for (int64_t i = 0; i < options.vms; ++i) {
    PlacementRequest& vm = vms[static_cast<std::size_t>(i)];
    vm.vm_id = "vm-" + std::to_string(i);
    vm.vcpus = kVcpuSizes[vcpu_size(rng)];
    vm.memory_mib = vm.vcpus * kGibPerVcpu[gib_per_vcpu(rng)] * 1024;
    if (selects_zone(rng)) vm.node_selector["zone"] = ZoneName(zone(rng));
  }
  return vms;
}

// The order to place the VMs in: generation order, or biggest share of a node first.
std::vector<std::size_t> PlacementOrder(const std::vector<PlacementRequest>& vms,
                                        const PlacementSimOptions& options) {
  std::vector<std::size_t> order(vms.size());
  std::iota(order.begin(), order.end(), 0);
  if (!options.largest_first) return order;
  const NodeResources& cap = options.node_capacity;
  auto share = [&](const PlacementRequest& vm) {
    return std::max(static_cast<double>(vm.vcpus) / static_cast<double>(cap.vcpus),
                    static_cast<double>(vm.memory_mib) / static_cast<double>(cap.memory_mib));
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return share(vms[a]) > share(vms[b]); });
  return order;
}

int64_t CeilDiv(int64_t total, int64_t per_node) { return (total + per_node - 1) / per_node; }

double Percentile(const std::vector<double>& sorted, int percent) {
  if (sorted.empty()) return 0;
  const std::size_t at = sorted.size() * static_cast<std::size_t>(percent) / 100;
  return sorted[std::min(sorted.size() - 1, at)];
}

// "256 GiB", or "1500 MiB" when not a whole number of GiB.
std::string Memory(int64_t mib) {
  if (mib % 1024 == 0) return std::to_string(mib / 1024) + " GiB";
  return std::to_string(mib) + " MiB";
}

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

void Row(std::string& out, std::string_view key, const std::string& value) {
  out += "  ";
  out += key;
  out.append(key.size() < 16 ? 16 - key.size() : 1, ' ');
  out += value;
  out += '\n';
}

}  // namespace

Status ValidatePlacementSimOptions(const PlacementSimOptions& options) {
  auto count = [](std::string_view name, int64_t value) -> Status {
    if (value < 1 || value > kMaxCount) {
      return InvalidArgument(std::string(name) + " " + std::to_string(value) + ": must be 1 to " +
                             std::to_string(kMaxCount));
    }
    return Status::Ok();
  };
  NOVACRON_RETURN_IF_ERROR(count("nodes", options.nodes));
  NOVACRON_RETURN_IF_ERROR(count("vms", options.vms));
  NOVACRON_RETURN_IF_ERROR(count("zones", options.zones));
  if (options.node_capacity.vcpus < 1 || options.node_capacity.memory_mib < 1) {
    return InvalidArgument("node capacity " + std::to_string(options.node_capacity.vcpus) +
                           " vcpus, " + std::to_string(options.node_capacity.memory_mib) +
                           " memory_mib: both must be at least 1");
  }
  if (!(options.zone_selector_share >= 0.0 && options.zone_selector_share <= 1.0)) {
    return InvalidArgument("zone selector share " + Fixed(options.zone_selector_share, 3) +
                           ": must be 0 to 1");
  }
  return Status::Ok();
}

Result<PlacementSimResult> RunPlacementSim(const PlacementSimOptions& options) {
  NOVACRON_RETURN_IF_ERROR(ValidatePlacementSimOptions(options));
  const Clock::time_point begin = Clock::now();
  PlacementSimResult result;
  result.options = options;
  std::vector<PlacementNode> nodes = MakeNodes(options);
  const std::vector<PlacementRequest> vms = MakeVms(options);
  result.assignment.assign(vms.size(), -1);
  std::vector<double> micros;
  micros.reserve(vms.size());

  for (std::size_t v : PlacementOrder(vms, options)) {
    const PlacementRequest& vm = vms[v];
    const Clock::time_point t0 = Clock::now();
    const PlacementDecision decision = Place(vm, nodes, options.strategy, /*explain=*/false);
    const Clock::time_point t1 = Clock::now();
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    ++result.decisions;
    if (!decision.node_id) {
      ++result.unplaced;
      continue;
    }
    if (Status s = ApplyPlacement(vm, decision, nodes); !s.ok()) return s;
    ++result.placed;
    result.placed_demand.vcpus += vm.vcpus;
    result.placed_demand.memory_mib += vm.memory_mib;
    result.assignment[v] = static_cast<int32_t>(*decision.node_index);
  }

  result.nodes_used = std::count_if(nodes.begin(), nodes.end(), [](const PlacementNode& n) {
    return n.record.allocated.vcpus > 0 || n.record.allocated.memory_mib > 0;
  });
  result.lower_bound_vcpus = CeilDiv(result.placed_demand.vcpus, options.node_capacity.vcpus);
  result.lower_bound_memory =
      CeilDiv(result.placed_demand.memory_mib, options.node_capacity.memory_mib);
  result.lower_bound = std::max(result.lower_bound_vcpus, result.lower_bound_memory);
  if (result.lower_bound > 0) {
    result.used_over_bound =
        static_cast<double>(result.nodes_used) / static_cast<double>(result.lower_bound);
  }
  result.mean_us = std::accumulate(micros.begin(), micros.end(), 0.0) /
                   static_cast<double>(std::max<std::size_t>(micros.size(), 1));
  std::sort(micros.begin(), micros.end());
  result.median_us = Percentile(micros, 50);
  result.p99_us = Percentile(micros, 99);
  result.max_us = micros.empty() ? 0 : micros.back();
  result.total_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  return result;
}

std::string RenderPlacementSim(const PlacementSimResult& result) {
  const PlacementSimOptions& o = result.options;
  std::string out = "placement simulation: " + std::string(PlacementStrategyName(o.strategy)) +
                    ", seed " + std::to_string(o.seed) + "\n";
  Row(out, "nodes",
      std::to_string(o.nodes) + " x " + std::to_string(o.node_capacity.vcpus) + " vCPUs / " +
          Memory(o.node_capacity.memory_mib));
  Row(out, "VMs", std::to_string(o.vms) + " (1-16 vCPUs, 2-8 GiB per vCPU)");
  Row(out, "order",
      o.largest_first ? "largest first (first-fit-decreasing)"
                      : "as generated (online, like live creates)");
  if (o.zones > 1) {
    Row(out, "zones",
        std::to_string(o.zones) + "; " + Fixed(o.zone_selector_share * 100, 0) +
            "% of VMs select one");
  }
  Row(out, "decisions", std::to_string(result.decisions));
  Row(out, "placed", std::to_string(result.placed));
  Row(out, "unplaced", std::to_string(result.unplaced));
  Row(out, "time/decision",
      "median " + Fixed(result.median_us, 1) + " us, p99 " + Fixed(result.p99_us, 1) +
          " us, mean " + Fixed(result.mean_us, 1) + " us, max " + Fixed(result.max_us, 1) + " us");
  Row(out, "nodes used", std::to_string(result.nodes_used) + " of " + std::to_string(o.nodes));
  Row(out, "lower bound",
      std::to_string(result.lower_bound) + " (vcpus " + std::to_string(result.lower_bound_vcpus) +
          ", memory " + std::to_string(result.lower_bound_memory) +
          "; ceil(placed demand / node capacity))");
  Row(out, "used / bound", Fixed(result.used_over_bound, 3));
  Row(out, "total time", Fixed(result.total_seconds, 2) + " s");
  return out;
}

}  // namespace novacron::cluster
