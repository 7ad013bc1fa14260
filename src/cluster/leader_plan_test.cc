// The leader's decisions as pure code (cluster/leader_plan.h): placement of unplaced VMs, the
// failover grace, HA eligibility, node_lost marks written once, booking within a round.
#include "cluster/leader_plan.h"

#include <gtest/gtest.h>

namespace novacron::cluster {
namespace {

using std::chrono::seconds;
using Kind = LeaderAction::Kind;

PlacementNode Node(const std::string& id, MemberState state = MemberState::kReady,
                   int64_t vcpus = 8, bool shared = false) {
  PlacementNode node;
  node.record.node_id = id;
  node.record.capacity = {vcpus, vcpus * 1024};
  node.record.shared_storage = shared;
  node.state = state;
  return node;
}

VmEntry Vm(const std::string& id, const std::string& owner, bool ha = false, int64_t vcpus = 1) {
  VmEntry vm;
  vm.id = id;
  vm.name = id;
  vm.owner = owner;
  vm.state = owner.empty() ? "starting" : "running";
  vm.drift = owner.empty() ? kDriftUnplaced : "";
  vm.version = 3;
  vm.ha = ha;
  vm.request = {id, vcpus, vcpus * 512, {}, ""};
  return vm;
}

LeaderInput Input() {
  LeaderInput input;
  input.now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  input.failover_grace = std::chrono::milliseconds(5000);
  return input;
}

TEST(LeaderPlan, PlacesUnplacedVmsAndBooksEachBeforeTheNext) {
  LeaderInput input = Input();
  input.nodes = {Node("a", MemberState::kReady, 2), Node("b", MemberState::kReady, 2)};
  input.vms = {Vm("v1", "", false, 2), Vm("v2", "", false, 2), Vm("v3", "", false, 2)};
  std::vector<LeaderAction> actions = PlanLeaderActions(input);
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0].kind, Kind::kPlace);
  EXPECT_EQ(actions[1].kind, Kind::kPlace);
  EXPECT_NE(actions[0].node_id, actions[1].node_id);  // the first one filled its node
  EXPECT_EQ(actions[2].kind, Kind::kUnplaceable);     // no room left for the third
  EXPECT_NE(actions[2].reason.find("capacity: 2"), std::string::npos) << actions[2].reason;
  EXPECT_EQ(actions[0].version, 3);
}

TEST(LeaderPlan, AnUnplaceableReasonAlreadyRecordedIsNotWrittenAgain) {
  LeaderInput input = Input();
  input.nodes = {Node("a", MemberState::kCordoned)};
  input.vms = {Vm("v1", "")};
  std::vector<LeaderAction> actions = PlanLeaderActions(input);
  ASSERT_EQ(actions.size(), 1u);
  input.vms[0].last_error = actions[0].reason;
  EXPECT_TRUE(PlanLeaderActions(input).empty());
}

TEST(LeaderPlan, CountsWhatTheRecordsSayNotWhatNodesPublished) {
  LeaderInput input = Input();
  input.nodes = {Node("a", MemberState::kReady, 4), Node("b", MemberState::kReady, 4)};
  input.nodes[1].record.allocated = {4, 4096};  // a stale publish: b is in fact empty
  input.vms = {Vm("old", "a", false, 3), Vm("new", "", false, 2)};
  std::vector<LeaderAction> actions = PlanLeaderActions(input);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].node_id, "b");
}

TEST(LeaderPlan, FailoverWaitsForTheGraceThenMovesOnlyHaVms) {
  LeaderInput input = Input();
  input.nodes = {Node("a", MemberState::kLost), Node("b"), Node("c")};
  input.vms = {Vm("ha1", "a", true), Vm("plain", "a", false), Vm("elsewhere", "b", true)};
  input.lost_since["a"] = input.now - seconds(4);
  EXPECT_TRUE(PlanLeaderActions(input).empty()) << "within the grace";
  input.lost_since["a"] = input.now - seconds(5);
  std::vector<LeaderAction> actions = PlanLeaderActions(input);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].vm_id, "ha1");
  EXPECT_EQ(actions[0].kind, Kind::kFailover);
  EXPECT_NE(actions[0].node_id, "a");
  EXPECT_EQ(actions[1].vm_id, "plain");
  EXPECT_EQ(actions[1].kind, Kind::kNodeLost);
  // Marked once: the next round leaves it.
  input.vms[1].drift = kDriftNodeLost;
  input.vms[1].last_error = actions[1].reason;
  input.vms[0].owner = actions[0].node_id;
  EXPECT_TRUE(PlanLeaderActions(input).empty());
}

TEST(LeaderPlan, HaVmsWithDisksNeedSharedStorageOnTheTarget) {
  LeaderInput input = Input();
  input.nodes = {Node("a", MemberState::kLost), Node("b"),
                 Node("c", MemberState::kReady, 8, /*shared=*/true)};
  VmEntry disky = Vm("disky", "a", true);
  disky.has_disks = true;
  input.vms = {disky};
  input.lost_since["a"] = input.now - seconds(10);
  std::vector<LeaderAction> actions = PlanLeaderActions(input);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::kFailover);
  EXPECT_EQ(actions[0].node_id, "c");
  input.nodes[2].record.shared_storage = false;
  actions = PlanLeaderActions(input);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::kNodeLost);
  EXPECT_NE(actions[0].reason.find("shared storage"), std::string::npos) << actions[0].reason;
}

TEST(LeaderPlan, AntiAffinityHoldsAcrossFailover) {
  LeaderInput input = Input();
  input.nodes = {Node("a", MemberState::kLost), Node("b"), Node("c")};
  VmEntry one = Vm("one", "a", true);
  one.request.anti_affinity_group = "db";
  VmEntry two = Vm("two", "b", true);
  two.request.anti_affinity_group = "db";
  input.vms = {one, two};
  input.lost_since["a"] = input.now - seconds(10);
  std::vector<LeaderAction> actions = PlanLeaderActions(input);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].node_id, "c");
}

TEST(LeaderPlan, DeletingVmsAreLeftAlone) {
  LeaderInput input = Input();
  input.nodes = {Node("a", MemberState::kLost), Node("b")};
  VmEntry going = Vm("going", "a", true);
  going.state = "deleting";
  VmEntry unplaced = Vm("unplaced", "");
  unplaced.state = "deleting";
  input.vms = {going, unplaced};
  input.lost_since["a"] = input.now - seconds(10);
  EXPECT_TRUE(PlanLeaderActions(input).empty());
}

}  // namespace
}  // namespace novacron::cluster
