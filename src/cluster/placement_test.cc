// Tests of placement (filters, scores, explanations, booking) and of the placement simulator,
// with a rapidcheck property: the chosen node passes every filter and no feasible node beats it.
#include "cluster/placement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cluster/placement_sim.h"

namespace novacron::cluster {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kGib = 1024;

PlacementNode Node(std::string id, int64_t vcpus_free = 64, int64_t memory_free_gib = 256,
                   MemberState state = MemberState::kReady) {
  PlacementNode n;
  n.record.node_id = std::move(id);
  n.record.capacity = {64, 256 * kGib};
  n.record.allocated = {64 - vcpus_free, (256 - memory_free_gib) * kGib};
  n.state = state;
  return n;
}

PlacementRequest Vm(int64_t vcpus = 2, int64_t memory_gib = 4) {
  return {"vm-1", vcpus, memory_gib * kGib, {}, ""};
}

const NodeVerdict& VerdictOf(const PlacementDecision& d, const std::string& node_id) {
  const auto it = std::find_if(d.verdicts.begin(), d.verdicts.end(),
                               [&](const NodeVerdict& v) { return v.node_id == node_id; });
  if (it == d.verdicts.end()) throw std::runtime_error("no verdict for " + node_id);
  return *it;
}

std::vector<std::string> VerdictOrder(const PlacementDecision& d) {
  std::vector<std::string> ids;
  for (const NodeVerdict& v : d.verdicts) ids.push_back(v.node_id);
  return ids;
}

TEST(PlacementTest, StateFilterSkipsCordonedAndLostNodesSayingWhich) {
  const std::vector<PlacementNode> nodes = {Node("a", 64, 256, MemberState::kCordoned),
                                            Node("b", 64, 256, MemberState::kLost),
                                            Node("c", 1, 8)};
  const PlacementDecision d = Place(Vm(1, 4), nodes, PlacementStrategy::kSpread, true);
  ASSERT_EQ(d.node_id, "c");
  EXPECT_EQ(d.node_index, 2u);
  EXPECT_EQ(VerdictOf(d, "a").rejected_by, "state");
  EXPECT_EQ(VerdictOf(d, "a").reason, "node is cordoned");
  EXPECT_EQ(VerdictOf(d, "b").rejected_by, "state");
  EXPECT_EQ(VerdictOf(d, "b").reason, "node is lost");
  EXPECT_FALSE(VerdictOf(d, "a").feasible);
}

TEST(PlacementTest, NodeSelectorNamesTheMissingOrMismatchingLabel) {
  std::vector<PlacementNode> nodes = {Node("a"), Node("b"), Node("c")};
  nodes[1].record.labels = {{"zone", "east"}};
  nodes[2].record.labels = {{"gpu", "yes"}, {"zone", "west"}};
  PlacementRequest vm = Vm();
  vm.node_selector = {{"gpu", "yes"}, {"zone", "west"}};
  const PlacementDecision d = Place(vm, nodes, PlacementStrategy::kPack, true);
  ASSERT_EQ(d.node_id, "c");
  EXPECT_EQ(VerdictOf(d, "a").rejected_by, "node_selector");
  EXPECT_EQ(VerdictOf(d, "a").reason, R"(label "gpu" missing, selector wants "yes")");
  nodes[1].record.labels["gpu"] = "yes";
  const PlacementDecision d2 = Place(vm, nodes, PlacementStrategy::kPack, true);
  EXPECT_EQ(VerdictOf(d2, "b").rejected_by, "node_selector");
  EXPECT_EQ(VerdictOf(d2, "b").reason, R"(label "zone" is "east", selector wants "west")");
}

TEST(PlacementTest, AntiAffinityRejectsANodeThatHasTheGroup) {
  std::vector<PlacementNode> nodes = {Node("a"), Node("b", 10, 20)};
  nodes[0].anti_affinity_groups = {"db"};
  PlacementRequest vm = Vm();
  vm.anti_affinity_group = "db";
  const PlacementDecision d = Place(vm, nodes, PlacementStrategy::kSpread, true);
  ASSERT_EQ(d.node_id, "b");
  EXPECT_EQ(VerdictOf(d, "a").rejected_by, "anti_affinity");
  EXPECT_THAT(VerdictOf(d, "a").reason, HasSubstr(R"(group "db")"));
}

TEST(PlacementTest, CapacityFilterNamesTheResourceWithFreeAndNeeded) {
  const std::vector<PlacementNode> nodes = {Node("cpu", 3, 200), Node("mem", 60, 7),
                                            Node("both", 1, 1), Node("exact", 4, 8)};
  const PlacementDecision d = Place(Vm(4, 8), nodes, PlacementStrategy::kSpread, true);
  ASSERT_EQ(d.node_id, "exact");  // capacity minus allocated may equal the request
  EXPECT_EQ(VerdictOf(d, "cpu").rejected_by, "capacity");
  EXPECT_EQ(VerdictOf(d, "cpu").reason, "vcpus: 3 of 64 free, 4 needed");
  EXPECT_EQ(VerdictOf(d, "mem").reason, "memory_mib: 7168 of 262144 free, 8192 needed");
  EXPECT_EQ(VerdictOf(d, "both").reason,
            "vcpus: 1 of 64 free, 4 needed; memory_mib: 1024 of 262144 free, 8192 needed");
  EXPECT_EQ(VerdictOf(d, "exact").score, 0.0);
}

TEST(PlacementTest, FiltersApplyInOrderAndTheFirstRejectionIsNamed) {
  std::vector<PlacementNode> nodes = {Node("a", 0, 0, MemberState::kCordoned)};
  nodes[0].anti_affinity_groups = {"g"};
  PlacementRequest vm = Vm();
  vm.anti_affinity_group = "g";
  vm.node_selector = {{"zone", "x"}};
  EXPECT_EQ(Place(vm, nodes, PlacementStrategy::kPack, true).verdicts[0].rejected_by, "state");
  nodes[0].state = MemberState::kReady;
  EXPECT_EQ(Place(vm, nodes, PlacementStrategy::kPack, true).verdicts[0].rejected_by,
            "node_selector");
  nodes[0].record.labels["zone"] = "x";
  EXPECT_EQ(Place(vm, nodes, PlacementStrategy::kPack, true).verdicts[0].rejected_by,
            "anti_affinity");
  vm.anti_affinity_group.clear();
  EXPECT_EQ(Place(vm, nodes, PlacementStrategy::kPack, true).verdicts[0].rejected_by, "capacity");
}

TEST(PlacementTest, ScoreFollowsTheDocumentedFormula) {
  // 16 of 64 vCPUs and 64 of 256 GiB requested on an empty node: 75% of each free after.
  const NodeResources capacity{64, 256 * kGib};
  EXPECT_DOUBLE_EQ(PlacementScore(Vm(16, 64), capacity, {}, PlacementStrategy::kSpread), 75.0);
  EXPECT_DOUBLE_EQ(PlacementScore(Vm(16, 64), capacity, {}, PlacementStrategy::kPack), 25.0);
  // vcpus 50% free after, memory 0% free after: mean 25%.
  EXPECT_DOUBLE_EQ(
      PlacementScore(Vm(16, 64), capacity, {16, 192 * kGib}, PlacementStrategy::kSpread), 25.0);
  EXPECT_DOUBLE_EQ(PlacementScore(Vm(0, 0), {0, 0}, {}, PlacementStrategy::kPack), 100.0);
}

TEST(PlacementTest, SpreadPicksTheEmptiestNodeAndPackTheFullest) {
  const std::vector<PlacementNode> nodes = {Node("half", 32, 128), Node("empty"),
                                            Node("nearly-full", 4, 16), Node("full", 1, 1)};
  EXPECT_EQ(Place(Vm(), nodes, PlacementStrategy::kSpread, false).node_id, "empty");
  EXPECT_EQ(Place(Vm(), nodes, PlacementStrategy::kPack, false).node_id, "nearly-full");
}

TEST(PlacementTest, TiesGoToTheSmallestNodeId) {
  for (PlacementStrategy s : {PlacementStrategy::kSpread, PlacementStrategy::kPack}) {
    const std::vector<PlacementNode> nodes = {Node("n3"), Node("n1"), Node("n2")};
    const PlacementDecision fast = Place(Vm(), nodes, s, false);
    EXPECT_EQ(fast.node_id, "n1") << PlacementStrategyName(s);
    EXPECT_EQ(fast.node_index, 1u);
    const PlacementDecision explained = Place(Vm(), nodes, s, true);
    EXPECT_EQ(explained.node_id, "n1");
    EXPECT_THAT(VerdictOrder(explained), ElementsAre("n1", "n2", "n3"));
  }
}

TEST(PlacementTest, ExplainListsEveryNodeChosenFirstThenByScoreThenRejected) {
  const std::vector<PlacementNode> nodes = {Node("z-lost", 64, 256, MemberState::kLost),
                                            Node("half", 32, 128), Node("empty"),
                                            Node("a-full", 0, 0), Node("quarter", 16, 64)};
  const PlacementDecision d = Place(Vm(), nodes, PlacementStrategy::kSpread, true);
  ASSERT_EQ(d.node_id, "empty");
  EXPECT_THAT(VerdictOrder(d), ElementsAre("empty", "half", "quarter", "a-full", "z-lost"));
  EXPECT_TRUE(d.verdicts[0].feasible);
  EXPECT_TRUE(d.verdicts[0].rejected_by.empty());
  EXPECT_EQ(d.verdicts[0].reason,
            "free after placing: vcpus 62 of 64, memory_mib 258048 of 262144");
  EXPECT_GT(d.verdicts[0].score, d.verdicts[1].score);
  EXPECT_GT(d.verdicts[1].score, d.verdicts[2].score);
  EXPECT_EQ(d.verdicts[3].rejected_by, "capacity");
  EXPECT_EQ(d.verdicts[4].rejected_by, "state");
}

TEST(PlacementTest, WithoutExplainOnlyTheChosenVerdictIsReturned) {
  const std::vector<PlacementNode> nodes = {Node("a", 0, 0), Node("b", 8, 8), Node("c")};
  const PlacementDecision d = Place(Vm(), nodes, PlacementStrategy::kPack, false);
  ASSERT_EQ(d.node_id, "b");
  ASSERT_EQ(d.verdicts.size(), 1u);
  EXPECT_EQ(d.verdicts[0].node_id, "b");
  EXPECT_EQ(d.verdicts[0].score,
            Place(Vm(), nodes, PlacementStrategy::kPack, true).verdicts[0].score);
}

TEST(PlacementTest, NoFeasibleNodeChoosesNothingAndRejectsEveryNode) {
  const std::vector<PlacementNode> nodes = {Node("a", 1, 256),
                                            Node("b", 64, 256, MemberState::kLost)};
  const PlacementDecision d = Place(Vm(8, 8), nodes, PlacementStrategy::kPack, true);
  EXPECT_EQ(d.node_id, std::nullopt);
  EXPECT_EQ(d.node_index, std::nullopt);
  ASSERT_EQ(d.verdicts.size(), 2u);
  for (const NodeVerdict& v : d.verdicts) EXPECT_FALSE(v.feasible) << v.node_id;
  const PlacementDecision fast = Place(Vm(8, 8), nodes, PlacementStrategy::kPack, false);
  EXPECT_EQ(fast.node_id, std::nullopt);
  EXPECT_TRUE(fast.verdicts.empty());
  EXPECT_EQ(Place(Vm(), {}, PlacementStrategy::kSpread, true).node_id, std::nullopt);
}

TEST(PlacementTest, AntiAffinityKeepsAGroupsVmsOnDifferentNodes) {
  std::vector<PlacementNode> nodes = {Node("a"), Node("b"), Node("c")};
  std::vector<std::string> chosen;
  for (int i = 0; i < 4; ++i) {
    PlacementRequest vm = Vm();
    vm.vm_id = "db-" + std::to_string(i);
    vm.anti_affinity_group = "db";
    const PlacementDecision d = Place(vm, nodes, PlacementStrategy::kPack, false);
    if (!d.node_id) break;
    chosen.push_back(*d.node_id);
    ASSERT_TRUE(ApplyPlacement(vm, d, nodes).ok());
  }
  // Pack would stack them on one node; the group spreads them, and a fourth has nowhere to go.
  EXPECT_THAT(chosen, ElementsAre("a", "b", "c"));
  EXPECT_EQ(Place(Vm(), nodes, PlacementStrategy::kPack, false).node_id, "a");
}

TEST(PlacementTest, ApplyPlacementBooksTheRequestOnTheChosenNode) {
  std::vector<PlacementNode> nodes = {Node("a"), Node("b")};
  PlacementRequest vm = Vm(4, 8);
  vm.anti_affinity_group = "web";
  PlacementDecision d;
  d.node_id = "b";
  d.node_index = 0;  // stale index: the id wins
  ASSERT_TRUE(ApplyPlacement(vm, d, nodes).ok());
  EXPECT_EQ(nodes[1].record.allocated.vcpus, 4);
  EXPECT_EQ(nodes[1].record.allocated.memory_mib, 8 * kGib);
  EXPECT_EQ(nodes[1].anti_affinity_groups.count("web"), 1u);
  EXPECT_EQ(nodes[0].record.allocated.vcpus, 0);

  EXPECT_EQ(ApplyPlacement(vm, PlacementDecision{}, nodes).code(), ErrorCode::kFailedPrecondition);
  d.node_id = "gone";
  const Status missing = ApplyPlacement(vm, d, nodes);
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("gone"));
}

TEST(PlacementTest, StrategyNamesParseBack) {
  for (PlacementStrategy s : {PlacementStrategy::kSpread, PlacementStrategy::kPack}) {
    EXPECT_EQ(ParsePlacementStrategy(PlacementStrategyName(s)).value(), s);
  }
  EXPECT_EQ(ParsePlacementStrategy("binpack").status().code(), ErrorCode::kInvalidArgument);
}

// The filters, written again plainly, to check Place() against.
bool PassesEveryFilter(const PlacementRequest& vm, const PlacementNode& n) {
  if (n.state != MemberState::kReady) return false;
  for (const auto& [key, value] : vm.node_selector) {
    const auto it = n.record.labels.find(key);
    if (it == n.record.labels.end() || it->second != value) return false;
  }
  if (!vm.anti_affinity_group.empty() && n.anti_affinity_groups.count(vm.anti_affinity_group)) {
    return false;
  }
  return n.record.capacity.vcpus - n.record.allocated.vcpus >= vm.vcpus &&
         n.record.capacity.memory_mib - n.record.allocated.memory_mib >= vm.memory_mib;
}

RC_GTEST_PROP(PlacementProperty, ChosenNodePassesEveryFilterAndNoFeasibleNodeBeatsIt, ()) {
  const int count = *rc::gen::inRange(0, 12);
  std::vector<PlacementNode> nodes;
  for (int i = 0; i < count; ++i) {
    PlacementNode n;
    n.record.node_id = "n" + std::to_string(i);
    n.record.capacity = {*rc::gen::inRange<int64_t>(0, 9), *rc::gen::inRange<int64_t>(0, 9)};
    n.record.allocated = {*rc::gen::inRange<int64_t>(0, 11), *rc::gen::inRange<int64_t>(0, 11)};
    n.state = *rc::gen::element(MemberState::kReady, MemberState::kReady, MemberState::kCordoned,
                                MemberState::kLost);
    if (*rc::gen::arbitrary<bool>()) n.record.labels["zone"] = *rc::gen::element("a", "b");
    if (*rc::gen::arbitrary<bool>()) n.anti_affinity_groups.insert("g");
    nodes.push_back(std::move(n));
  }
  std::mt19937_64 rng(*rc::gen::arbitrary<uint64_t>());
  std::shuffle(nodes.begin(), nodes.end(), rng);
  PlacementRequest vm{
      "vm", *rc::gen::inRange<int64_t>(0, 6), *rc::gen::inRange<int64_t>(0, 6), {}, ""};
  if (*rc::gen::arbitrary<bool>()) vm.node_selector["zone"] = "a";
  if (*rc::gen::arbitrary<bool>()) vm.anti_affinity_group = "g";
  const PlacementStrategy strategy =
      *rc::gen::element(PlacementStrategy::kSpread, PlacementStrategy::kPack);

  const PlacementDecision fast = Place(vm, nodes, strategy, false);
  const PlacementDecision explained = Place(vm, nodes, strategy, true);
  RC_ASSERT(fast.node_id == explained.node_id);
  RC_ASSERT(fast.node_index == explained.node_index);
  RC_ASSERT(explained.verdicts.size() == nodes.size());
  for (const NodeVerdict& v : explained.verdicts) {
    const auto it = std::find_if(nodes.begin(), nodes.end(), [&](const PlacementNode& n) {
      return n.record.node_id == v.node_id;
    });
    RC_ASSERT(it != nodes.end());
    RC_ASSERT(v.feasible == PassesEveryFilter(vm, *it));
    RC_ASSERT(v.feasible == v.rejected_by.empty());
  }
  if (!fast.node_id) {
    for (const PlacementNode& n : nodes) RC_ASSERT(!PassesEveryFilter(vm, n));
    return;
  }
  const PlacementNode& chosen = nodes[*fast.node_index];
  RC_ASSERT(chosen.record.node_id == *fast.node_id);
  RC_ASSERT(PassesEveryFilter(vm, chosen));
  const double best = PlacementScore(vm, chosen.record.capacity, chosen.record.allocated, strategy);
  RC_ASSERT(explained.verdicts.front().node_id == chosen.record.node_id);
  for (const PlacementNode& n : nodes) {
    if (!PassesEveryFilter(vm, n)) continue;
    const double score = PlacementScore(vm, n.record.capacity, n.record.allocated, strategy);
    RC_ASSERT(score <= best);
    if (score == best) RC_ASSERT(n.record.node_id >= chosen.record.node_id);
  }
}

TEST(PlacementSimTest, SameSeedSameResult) {
  PlacementSimOptions o{.nodes = 50, .vms = 400, .seed = 7, .zones = 3, .zone_selector_share = 0.3};
  const PlacementSimResult a = RunPlacementSim(o).value();
  const PlacementSimResult b = RunPlacementSim(o).value();
  EXPECT_EQ(a.assignment, b.assignment);
  EXPECT_EQ(a.placed, b.placed);
  EXPECT_EQ(a.nodes_used, b.nodes_used);
  EXPECT_EQ(a.decisions, 400);
  o.seed = 8;
  EXPECT_NE(RunPlacementSim(o).value().assignment, a.assignment);
}

TEST(PlacementSimTest, PackUsesAtMostFivePercentMoreNodesThanTheLowerBound) {
  const PlacementSimResult r =
      RunPlacementSim({.nodes = 200, .vms = 2000, .seed = 1, .strategy = PlacementStrategy::kPack})
          .value();
  EXPECT_EQ(r.unplaced, 0);
  EXPECT_EQ(r.placed, 2000);
  EXPECT_GT(r.lower_bound, 0);
  EXPECT_EQ(r.lower_bound, std::max(r.lower_bound_vcpus, r.lower_bound_memory));
  EXPECT_LE(r.used_over_bound, 1.05) << RenderPlacementSim(r);
}

TEST(PlacementSimTest, SpreadUsesEveryNode) {
  const PlacementSimResult r =
      RunPlacementSim({.nodes = 100, .vms = 1000, .strategy = PlacementStrategy::kSpread}).value();
  EXPECT_EQ(r.placed, 1000);
  EXPECT_EQ(r.nodes_used, 100);
}

TEST(PlacementSimTest, MoreVmsThanFitAreCountedUnplaced) {
  const PlacementSimResult r = RunPlacementSim({.nodes = 2, .vms = 500}).value();
  EXPECT_EQ(r.decisions, 500);
  EXPECT_GT(r.unplaced, 0);
  EXPECT_EQ(r.placed + r.unplaced, 500);
  EXPECT_EQ(std::count(r.assignment.begin(), r.assignment.end(), -1), r.unplaced);
}

TEST(PlacementSimTest, BadOptionsAreRefusedByName) {
  EXPECT_THAT(RunPlacementSim({.nodes = 0}).status().message(), HasSubstr("nodes 0"));
  EXPECT_THAT(RunPlacementSim({.vms = -1}).status().message(), HasSubstr("vms -1"));
  EXPECT_THAT(RunPlacementSim({.node_capacity = {0, 1}}).status().message(),
              HasSubstr("node capacity"));
  EXPECT_THAT(RunPlacementSim({.zone_selector_share = 2}).status().message(),
              HasSubstr("zone selector share"));
  EXPECT_EQ(RunPlacementSim({.zones = 0}).status().code(), ErrorCode::kInvalidArgument);
}

TEST(PlacementSimTest, RenderShowsTheNumbers) {
  const PlacementSimResult r = RunPlacementSim({.nodes = 10, .vms = 50, .seed = 3}).value();
  const std::string text = RenderPlacementSim(r);
  EXPECT_THAT(text, HasSubstr("placement simulation: pack, seed 3"));
  EXPECT_THAT(text, HasSubstr("10 x 64 vCPUs / 256 GiB"));
  EXPECT_THAT(text, HasSubstr("nodes used      " + std::to_string(r.nodes_used) + " of 10"));
  EXPECT_THAT(text, HasSubstr("lower bound     " + std::to_string(r.lower_bound)));
  EXPECT_THAT(text, HasSubstr("median "));
}

}  // namespace
}  // namespace novacron::cluster
