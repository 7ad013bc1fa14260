// Failure scenarios replayed in the deterministic simulator (cluster/testing/ha_sim.h) around the
// real leader loop and the real VM manager of each node. Each checks, after every step, that no
// VM runs on two nodes, and then the outcome.
#include "cluster/testing/ha_sim.h"

#include <gtest/gtest.h>

namespace novacron::cluster::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Runs until `id` runs on exactly one node, other than `not_on`; that node.
std::string RunsOnOneNode(HaSim& sim, const std::string& id, const std::string& not_on = "") {
  std::string on;
  sim.RunUntil(
      [&] {
        std::set<std::string> nodes = sim.RunningOn(id);
        if (nodes.size() != 1 || nodes.count(not_on) > 0) return false;
        on = *nodes.begin();
        return sim.Record(id).state == "running" && sim.OwnerOf(id) == on;
      },
      seconds(30));
  return on;
}

std::string Violations(const HaSim& sim) {
  std::string out;
  for (const std::string& v : sim.violations()) out += v + "\n";
  return out;
}

TEST(HaSimTest, ACreateIsPlacedDefinedAndStartedOnOneNode) {
  HaSim sim({});
  std::string id = sim.Create("web", /*ha=*/true, "n3");
  EXPECT_EQ(sim.Record(id).drift, "unplaced");
  EXPECT_EQ(RunsOnOneNode(sim, id), "n1");  // pack: the smallest node id wins ties
  EXPECT_EQ(sim.Record(id).drift, "");
  EXPECT_TRUE(sim.violations().empty()) << Violations(sim);
}

// The node the leader placed a VM on dies before it defined the VM.
TEST(HaSimTest, NodeLossDuringPlacement) {
  HaSim sim({});
  std::string ha = sim.Create("web", true);
  std::string plain = sim.Create("db", false);
  // Step until the leader has written the placement, then kill that node at once.
  ASSERT_TRUE(sim.RunUntil([&] { return !sim.OwnerOf(ha).empty(); }, seconds(5)));
  const std::string target = sim.OwnerOf(ha);
  sim.Crash(target);
  EXPECT_NE(RunsOnOneNode(sim, ha, target), "");
  EXPECT_LE(sim.elapsed(), seconds(3 + 1 + 3));  // ttl + grace + a few steps
  ASSERT_TRUE(sim.RunUntil([&] { return sim.Record(plain).drift == "node_lost"; }, seconds(10)));
  EXPECT_EQ(sim.OwnerOf(plain), target);
  EXPECT_TRUE(sim.violations().empty()) << Violations(sim);
}

// The leader dies while it waits out the failover grace of another lost node: the next leader
// waits the whole grace again (on its own clock), then fails both nodes' VMs over, once each.
TEST(HaSimTest, LeaderChangeMidFailover) {
  HaSim sim({.strategy = PlacementStrategy::kSpread});
  std::string a = sim.Create("a", true);
  ASSERT_EQ(RunsOnOneNode(sim, a), "n1");
  std::string b = sim.Create("b", true);
  ASSERT_EQ(RunsOnOneNode(sim, b), "n2");
  std::string c = sim.Create("c", true);
  ASSERT_EQ(RunsOnOneNode(sim, c), "n3");
  ASSERT_EQ(sim.Leader(), "n1");
  sim.Crash("n3");
  // n1 sees n3 lost once its lease ran out and starts the 1 s grace; it dies half way.
  ASSERT_TRUE(sim.RunUntil([&] { return !sim.has_lease("n3"); }, seconds(5)));
  sim.RunFor(milliseconds(500));
  ASSERT_EQ(sim.OwnerOf(c), "n3") << "failed over before the grace ended";
  sim.Crash("n1");
  EXPECT_EQ(RunsOnOneNode(sim, c, "n3"), "n2");
  EXPECT_EQ(RunsOnOneNode(sim, a, "n1"), "n2");
  EXPECT_EQ(sim.Leader(), "n2");
  EXPECT_TRUE(sim.violations().empty()) << Violations(sim);
}

// A leader cut off etcd keeps believing it leads until it fences; its writes fail, and another
// node leads and fails its VMs over; healed, it drops its copies.
TEST(HaSimTest, ADeposedLeaderWritesNothingAndItsVmsMoveOnce) {
  HaSim sim({});
  std::string web = sim.Create("web", true);
  ASSERT_EQ(RunsOnOneNode(sim, web), "n1");
  sim.Cut("n1");
  EXPECT_EQ(RunsOnOneNode(sim, web, "n1"), "n2");
  EXPECT_TRUE(sim.fenced("n1"));
  sim.Heal("n1");
  sim.RunFor(seconds(3));
  EXPECT_FALSE(sim.fenced("n1"));
  EXPECT_EQ(sim.RunningOn(web), std::set<std::string>{"n2"});
  EXPECT_EQ(sim.OwnerOf(web), "n2");
  EXPECT_TRUE(sim.violations().empty()) << Violations(sim);
}

// The owner is cut off etcd while another node is lost too: it fences (its HA VM off) before
// its lease can expire, so the leader's restart elsewhere never overlaps it.
TEST(HaSimTest, ACutOffOwnerFencesBeforeItsVmRestartsElsewhere) {
  HaSim sim({});
  std::string web = sim.Create("web", true);
  ASSERT_EQ(RunsOnOneNode(sim, web), "n1");
  sim.Crash("n3");
  sim.Cut("n1");
  EXPECT_EQ(RunsOnOneNode(sim, web, "n1"), "n2");
  EXPECT_TRUE(sim.fenced("n1"));
  EXPECT_TRUE(sim.violations().empty()) << Violations(sim);
}

// A start under way when the node fences: it completes after the fence and is undone at once.
TEST(HaSimTest, AStartThatCompletesAfterTheFenceIsPoweredOffAgain) {
  HaSim sim({});
  sim.HoldStarts("n1");
  std::string web = sim.Create("web", true);
  // Placed on n1 and its start begun (held).
  ASSERT_TRUE(sim.RunUntil([&] { return sim.Record(web).drift == ""; }, seconds(5)))
      << sim.Record(web).drift;
  sim.Cut("n1");
  ASSERT_TRUE(sim.RunUntil([&] { return sim.fenced("n1"); }, seconds(5)));
  sim.ReleaseStarts("n1");  // the start returns after the fence
  EXPECT_TRUE(sim.RunningOn(web).empty());
  EXPECT_EQ(RunsOnOneNode(sim, web, "n1"), "n2");
  EXPECT_TRUE(sim.violations().empty()) << Violations(sim);
}

}  // namespace
}  // namespace novacron::cluster::testing
