#include "lifecycle/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "lifecycle/testing/fakes.h"
#include "lifecycle/testing/spec_graph.h"

namespace novacron::lifecycle {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeSpec;
using testing::Numbered;
using namespace std::chrono_literals;

std::vector<std::string> Names(const Graph& g, const std::vector<std::size_t>& indices) {
  std::vector<std::string> out;
  for (std::size_t i : indices) out.push_back(g.spec(i).name);
  return out;
}

TEST(GraphTest, SpecGraphOrderIsDeterministicAndRespectsDependencies) {
  Result<Graph> g = Graph::Build(testing::SpecGraph());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_THAT(Names(*g, g->TopologicalOrder()),
              ElementsAre("config", "logger", "metrics", "environment", "resources", "security",
                          "database", "cache", "network", "dwcp", "vm manager", "orchestrator",
                          "api", "monitoring", "ml engine"));
  EXPECT_EQ(g->Level(*g->IndexOf("config")), 0);
  EXPECT_EQ(g->Level(*g->IndexOf("metrics")), 2);
  EXPECT_EQ(g->Level(*g->IndexOf("api")), 5);
  const auto levels = g->Levels();
  ASSERT_EQ(levels.size(), 6u);
  EXPECT_THAT(levels[1], ElementsAre("logger", "environment", "resources", "security"));
  EXPECT_THAT(levels[5], ElementsAre("api"));
}

TEST(GraphTest, TiesAreBrokenByDeclarationOrder) {
  Result<Graph> g = Graph::Build({MakeSpec("b"), MakeSpec("a"), MakeSpec("c", {"a"})});
  ASSERT_TRUE(g.ok());
  EXPECT_THAT(Names(*g, g->TopologicalOrder()), ElementsAre("b", "a", "c"));
  EXPECT_EQ(g->TopologicalPosition(*g->IndexOf("a")), 1u);
}

TEST(GraphTest, UnknownDependencyNamesBoth) {
  Result<Graph> g = Graph::Build({MakeSpec("orchestrator"), MakeSpec("api", {"orchestrater"})});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), "component 'api' depends on unknown 'orchestrater'");
}

TEST(GraphTest, DuplicateAndEmptyNamesAreRejected) {
  Result<Graph> dup = Graph::Build({MakeSpec("cache"), MakeSpec("cache")});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "duplicate component 'cache'");
  EXPECT_FALSE(Graph::Build({MakeSpec("")}).ok());
}

TEST(GraphTest, CycleIsNamedInDependencyDirection) {
  Result<Graph> g =
      Graph::Build({MakeSpec("root"), MakeSpec("a", {"root", "b"}), MakeSpec("b", {"c"}),
                    MakeSpec("c", {"a"}), MakeSpec("after", {"a"})});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), "dependency cycle: a -> b -> c -> a");
}

TEST(GraphTest, SelfDependencyIsACycle) {
  Result<Graph> g = Graph::Build({MakeSpec("a", {"a"})});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(), "dependency cycle: a -> a");
}

TEST(GraphTest, DependentsAreTransitiveAndOrdered) {
  Result<Graph> g = Graph::Build(testing::SpecGraph());
  ASSERT_TRUE(g.ok());
  Result<std::vector<std::string>> network = g->Dependents("network");
  ASSERT_TRUE(network.ok());
  EXPECT_THAT(*network, ElementsAre("dwcp", "orchestrator", "api", "monitoring", "ml engine"));
  Result<std::vector<std::string>> api = g->Dependents("api");
  ASSERT_TRUE(api.ok());
  EXPECT_TRUE(api->empty());
  EXPECT_EQ(g->Dependents("nope").status().code(), ErrorCode::kNotFound);
}

TEST(GraphTest, CriticalPathOfSpecGraph) {
  Result<Graph> g = Graph::Build(testing::SpecGraph());
  ASSERT_TRUE(g.ok());
  std::map<std::string, Duration, std::less<>> ms = {
      {"config", 5ms},     {"logger", 3ms},     {"metrics", 4ms},     {"environment", 20ms},
      {"resources", 12ms}, {"security", 30ms},  {"database", 45ms},   {"cache", 15ms},
      {"network", 10ms},   {"dwcp", 40ms},      {"vm manager", 35ms}, {"orchestrator", 25ms},
      {"api", 15ms},       {"monitoring", 8ms}, {"ml engine", 30ms}};
  Result<Graph::Path> path = g->CriticalPath(ms);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->length, 125ms);
  EXPECT_THAT(path->components,
              ElementsAre("config", "security", "network", "dwcp", "orchestrator", "api"));
  ms["database"] = 100ms;  // now the database chain is the longest
  path = g->CriticalPath(ms);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->length, 5ms + 30ms + 100ms + 25ms + 15ms);
  EXPECT_THAT(path->components,
              ElementsAre("config", "security", "database", "orchestrator", "api"));
  EXPECT_EQ(g->CriticalPath({{"ghost", 1ms}}).status().code(), ErrorCode::kInvalidArgument);
}

TEST(GraphTest, DotAndMermaidContainNodesAndEdges) {
  Result<Graph> g = Graph::Build(testing::SpecGraph());
  ASSERT_TRUE(g.ok());
  const std::string dot = g->ToDot();
  EXPECT_THAT(dot, HasSubstr("digraph novacron {"));
  EXPECT_THAT(dot, HasSubstr("\"security\" -> \"database\";"));
  EXPECT_THAT(dot, HasSubstr("\"database\" -> \"vm manager\";"));
  EXPECT_THAT(dot,
              HasSubstr("\"cache\" [label=\"cache\\ndegraded, core\", shape=box, style=dashed]"));
  EXPECT_THAT(dot, HasSubstr("\"ml engine\\noptional, services, lazy\""));
  std::size_t edges = 0;
  for (std::size_t i = 0; i < g->size(); ++i) edges += g->DependenciesOf(i).size();
  std::size_t arrows = 0;
  for (std::size_t at = dot.find("->"); at != std::string::npos; at = dot.find("->", at + 1)) {
    ++arrows;
  }
  EXPECT_EQ(arrows, edges);

  const std::string mermaid = g->ToMermaid();
  EXPECT_THAT(mermaid, HasSubstr("flowchart LR"));
  EXPECT_THAT(mermaid, HasSubstr("  security --> database\n"));
  EXPECT_THAT(mermaid, HasSubstr("  database --> vm_manager\n"));
  EXPECT_THAT(mermaid, HasSubstr("vm_manager[\"vm manager<br/>critical, services\"]:::critical"));
  EXPECT_THAT(mermaid, HasSubstr("classDef optional"));
}

TEST(GraphTest, MermaidIdsStayUnique) {
  Result<Graph> g = Graph::Build({MakeSpec("vm manager"), MakeSpec("vm_manager", {"vm manager"})});
  ASSERT_TRUE(g.ok());
  EXPECT_THAT(g->ToMermaid(), HasSubstr("vm_manager --> vm_manager_2"));
}

// A random DAG over n components: component i may depend on any j < i; declared in a shuffled
// order so the declaration order is not a topological one.
std::vector<ComponentSpec> RandomDag(int n, const std::vector<std::pair<int, int>>& edges,
                                     std::uint64_t shuffle_seed) {
  std::vector<ComponentSpec> specs;
  for (int i = 0; i < n; ++i) specs.push_back(MakeSpec(Numbered("c", i)));
  for (auto [from, to] : edges) {
    const int a = from % n;
    const int b = to % n;
    if (a == b) continue;
    const int dependent = std::max(a, b);
    const int dependency = std::min(a, b);
    specs[static_cast<std::size_t>(dependent)].dependencies.push_back(Numbered("c", dependency));
  }
  std::mt19937_64 rng(shuffle_seed);
  std::shuffle(specs.begin(), specs.end(), rng);
  return specs;
}

RC_GTEST_PROP(GraphProperty, RandomDagsBuildInADependencyRespectingOrder, (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(1, 40);
  const auto edges = *rc::gen::container<std::vector<std::pair<int, int>>>(
      rc::gen::pair(rc::gen::inRange(0, 40), rc::gen::inRange(0, 40)));
  Result<Graph> g = Graph::Build(RandomDag(n, edges, seed));
  RC_ASSERT(g.ok());
  RC_ASSERT(g->TopologicalOrder().size() == static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < g->size(); ++i) {
    for (std::size_t d : g->DependenciesOf(i)) {
      RC_ASSERT(g->TopologicalPosition(d) < g->TopologicalPosition(i));
      RC_ASSERT(g->Level(d) < g->Level(i));
    }
  }
}

RC_GTEST_PROP(GraphProperty, InjectedBackEdgeIsFoundAndNamed, (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(2, 40);
  auto edges = *rc::gen::container<std::vector<std::pair<int, int>>>(
      rc::gen::pair(rc::gen::inRange(0, 40), rc::gen::inRange(0, 40)));
  // A path low -> high through the DAG plus the back edge high -> low closes a cycle.
  const int low = *rc::gen::inRange(0, n - 1);
  const int high = *rc::gen::inRange(low + 1, n);
  for (int k = low; k < high; ++k) edges.emplace_back(k, k + 1);
  std::vector<ComponentSpec> specs = RandomDag(n, edges, seed);
  for (ComponentSpec& s : specs) {
    if (s.name == Numbered("c", low)) s.dependencies.push_back(Numbered("c", high));
  }
  Result<Graph> g = Graph::Build(specs);
  RC_ASSERT(!g.ok());
  const std::string& message = g.status().message();
  const std::string prefix = "dependency cycle: ";
  RC_ASSERT(message.rfind(prefix, 0) == 0);
  // "x -> y -> ... -> x": every hop is a declared dependency and only the ends repeat.
  std::vector<std::string> hops;
  std::string rest = message.substr(prefix.size());
  for (std::size_t at; (at = rest.find(" -> ")) != std::string::npos;) {
    hops.push_back(rest.substr(0, at));
    rest = rest.substr(at + 4);
  }
  hops.push_back(rest);
  RC_ASSERT(hops.size() >= 3u);
  RC_ASSERT(hops.front() == hops.back());
  RC_ASSERT(std::set<std::string>(hops.begin(), hops.end() - 1).size() == hops.size() - 1);
  for (std::size_t k = 0; k + 1 < hops.size(); ++k) {
    auto it = std::find_if(specs.begin(), specs.end(),
                           [&](const ComponentSpec& s) { return s.name == hops[k]; });
    RC_ASSERT(it != specs.end());
    RC_ASSERT(std::find(it->dependencies.begin(), it->dependencies.end(), hops[k + 1]) !=
              it->dependencies.end());
  }
}

}  // namespace
}  // namespace novacron::lifecycle
