// Placement: the filters, the score and the choice (formula and order in placement.h). The fast
// path (explain=false) builds no strings and sorts nothing; the explain path reuses the same
// filter and comparison code, so both always choose the same node.
#include "cluster/placement.h"

#include <algorithm>
#include <utility>

namespace novacron::cluster {
namespace {

double FreeFractionAfter(int64_t capacity, int64_t allocated, int64_t requested) {
  if (capacity <= 0) return 0.0;
  return static_cast<double>(capacity - allocated - requested) / static_cast<double>(capacity);
}

// Whether a node with `score` and `id` ranks before one with `other_score` and `other_id`.
bool RanksBefore(double score, const std::string& id, double other_score,
                 const std::string& other_id) {
  if (score != other_score) return score > other_score;
  return id < other_id;
}

std::string Quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// "vcpus: 2 of 64 free, 4 needed".
std::string Shortfall(std::string_view resource, int64_t capacity, int64_t allocated,
                      int64_t requested) {
  std::string out(resource);
  out += ": ";
  out += std::to_string(capacity - allocated);
  out += " of ";
  out += std::to_string(capacity);
  out += " free, ";
  out += std::to_string(requested);
  out += " needed";
  return out;
}

// The first filter that rejects `node`, or an empty view when it passes all. When `reason` is
// given, it receives why (the rejection) or nothing (a pass); when null, no string is built.
std::string_view FirstRejection(const PlacementRequest& request, const PlacementNode& node,
                                std::string* reason) {
  if (node.state != MemberState::kReady) {
    if (reason) *reason = "node is " + std::string(MemberStateName(node.state));
    return kFilterState;
  }
  for (const auto& [key, wanted] : request.node_selector) {
    const auto it = node.record.labels.find(key);
    if (it == node.record.labels.end()) {
      if (reason) *reason = "label " + Quoted(key) + " missing, selector wants " + Quoted(wanted);
      return kFilterNodeSelector;
    }
    if (it->second != wanted) {
      if (reason) {
        *reason = "label " + Quoted(key) + " is " + Quoted(it->second) + ", selector wants " +
                  Quoted(wanted);
      }
      return kFilterNodeSelector;
    }
  }
  if (!request.anti_affinity_group.empty() &&
      node.anti_affinity_groups.count(request.anti_affinity_group) > 0) {
    if (reason) {
      *reason = "anti-affinity group " + Quoted(request.anti_affinity_group) +
                " already has a VM on this node";
    }
    return kFilterAntiAffinity;
  }
  const NodeResources& cap = node.record.capacity;
  const NodeResources& used = node.record.allocated;
  const bool vcpus_short = cap.vcpus - used.vcpus < request.vcpus;
  const bool memory_short = cap.memory_mib - used.memory_mib < request.memory_mib;
  if (vcpus_short || memory_short) {
    if (reason) {
      reason->clear();
      if (vcpus_short) *reason = Shortfall("vcpus", cap.vcpus, used.vcpus, request.vcpus);
      if (vcpus_short && memory_short) *reason += "; ";
      if (memory_short) {
        *reason += Shortfall("memory_mib", cap.memory_mib, used.memory_mib, request.memory_mib);
      }
    }
    return kFilterCapacity;
  }
  return {};
}

// "free after placing: vcpus 60 of 64, memory_mib 258048 of 262144".
std::string FreeAfter(const PlacementRequest& request, const NodeRecord& record) {
  const NodeResources& cap = record.capacity;
  const NodeResources& used = record.allocated;
  return "free after placing: vcpus " + std::to_string(cap.vcpus - used.vcpus - request.vcpus) +
         " of " + std::to_string(cap.vcpus) + ", memory_mib " +
         std::to_string(cap.memory_mib - used.memory_mib - request.memory_mib) + " of " +
         std::to_string(cap.memory_mib);
}

NodeVerdict ChosenVerdict(const PlacementRequest& request, const PlacementNode& node,
                          double score) {
  return {node.record.node_id, true, "", FreeAfter(request, node.record), score};
}

PlacementDecision PlaceFast(const PlacementRequest& request,
                            const std::vector<PlacementNode>& nodes, PlacementStrategy strategy) {
  const PlacementNode* best = nullptr;
  std::size_t best_index = 0;
  double best_score = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const PlacementNode& node = nodes[i];
    if (!FirstRejection(request, node, nullptr).empty()) continue;
    const double score =
        PlacementScore(request, node.record.capacity, node.record.allocated, strategy);
    if (best == nullptr ||
        RanksBefore(score, node.record.node_id, best_score, best->record.node_id)) {
      best = &node;
      best_index = i;
      best_score = score;
    }
  }
  PlacementDecision decision;
  if (best == nullptr) return decision;
  decision.node_id = best->record.node_id;
  decision.node_index = best_index;
  decision.verdicts.push_back(ChosenVerdict(request, *best, best_score));
  return decision;
}

PlacementDecision PlaceExplained(const PlacementRequest& request,
                                 const std::vector<PlacementNode>& nodes,
                                 PlacementStrategy strategy) {
  struct Ranked {
    NodeVerdict verdict;
    std::size_t index;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const PlacementNode& node = nodes[i];
    NodeVerdict v;
    v.node_id = node.record.node_id;
    v.rejected_by = std::string(FirstRejection(request, node, &v.reason));
    v.feasible = v.rejected_by.empty();
    if (v.feasible) {
      v.score = PlacementScore(request, node.record.capacity, node.record.allocated, strategy);
      v.reason = FreeAfter(request, node.record);
    }
    ranked.push_back({std::move(v), i});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    const NodeVerdict& x = a.verdict;
    const NodeVerdict& y = b.verdict;
    if (x.feasible != y.feasible) return x.feasible;
    if (x.feasible) return RanksBefore(x.score, x.node_id, y.score, y.node_id);
    if (x.node_id != y.node_id) return x.node_id < y.node_id;
    return a.index < b.index;
  });
  PlacementDecision decision;
  if (!ranked.empty() && ranked.front().verdict.feasible) {
    decision.node_id = ranked.front().verdict.node_id;
    decision.node_index = ranked.front().index;
  }
  decision.verdicts.reserve(ranked.size());
  for (Ranked& r : ranked) decision.verdicts.push_back(std::move(r.verdict));
  return decision;
}

}  // namespace

std::string_view PlacementStrategyName(PlacementStrategy strategy) {
  return strategy == PlacementStrategy::kPack ? "pack" : "spread";
}

Result<PlacementStrategy> ParsePlacementStrategy(std::string_view name) {
  if (name == "spread") return PlacementStrategy::kSpread;
  if (name == "pack") return PlacementStrategy::kPack;
  return InvalidArgument("placement strategy " + Quoted(name) + ": expected spread or pack");
}

double PlacementScore(const PlacementRequest& request, const NodeResources& capacity,
                      const NodeResources& allocated, PlacementStrategy strategy) {
  const double free_after =
      (FreeFractionAfter(capacity.vcpus, allocated.vcpus, request.vcpus) +
       FreeFractionAfter(capacity.memory_mib, allocated.memory_mib, request.memory_mib)) /
      2.0;
  return strategy == PlacementStrategy::kSpread ? 100.0 * free_after : 100.0 * (1.0 - free_after);
}

PlacementDecision Place(const PlacementRequest& request, const std::vector<PlacementNode>& nodes,
                        PlacementStrategy strategy, bool explain) {
  return explain ? PlaceExplained(request, nodes, strategy) : PlaceFast(request, nodes, strategy);
}

Status ApplyPlacement(const PlacementRequest& request, const PlacementDecision& decision,
                      std::vector<PlacementNode>& nodes) {
  if (!decision.node_id) {
    return FailedPrecondition("placement of VM " + Quoted(request.vm_id) + " chose no node");
  }
  PlacementNode* node = nullptr;
  if (decision.node_index && *decision.node_index < nodes.size() &&
      nodes[*decision.node_index].record.node_id == *decision.node_id) {
    node = &nodes[*decision.node_index];
  } else {
    const auto it = std::find_if(nodes.begin(), nodes.end(), [&](const PlacementNode& n) {
      return n.record.node_id == *decision.node_id;
    });
    if (it == nodes.end()) {
      return NotFound("placement of VM " + Quoted(request.vm_id) + ": node " +
                      Quoted(*decision.node_id) + " is not among the nodes");
    }
    node = &*it;
  }
  node->record.allocated.vcpus += request.vcpus;
  node->record.allocated.memory_mib += request.memory_mib;
  if (!request.anti_affinity_group.empty()) {
    node->anti_affinity_groups.insert(request.anti_affinity_group);
  }
  return Status::Ok();
}

}  // namespace novacron::cluster
