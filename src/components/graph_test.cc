#include "components/graph.h"

#include <gtest/gtest.h>

#include "lifecycle/graph.h"

namespace novacron::components {
namespace {

TEST(DeclaredGraphTest, IsAValidGraphInSpecOrder) {
  auto graph = lifecycle::Graph::Build(DeclaredGraph(config::Config{}));
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  auto pos = [&](const char* name) { return graph->TopologicalPosition(*graph->IndexOf(name)); };
  EXPECT_LT(pos("config"), pos("logger"));
  EXPECT_LT(pos("logger"), pos("metrics"));
  EXPECT_LT(pos("resources"), pos("database"));
  EXPECT_LT(pos("database"), pos("api"));
  EXPECT_LT(pos("metrics"), pos("api"));
  EXPECT_LT(pos("database"), pos("vm_manager"));
  EXPECT_LT(pos("cache"), pos("vm_manager"));
  EXPECT_LT(pos("vm_manager"), pos("api"));
}

TEST(DeclaredGraphTest, OnlyTheCacheMayDegradeAndAllUseConfiguredTimeouts) {
  config::Config config;
  config.system.start_timeout = std::chrono::seconds(7);
  for (const auto& spec : DeclaredGraph(config)) {
    EXPECT_EQ(spec.criticality, spec.name == "cache" ? lifecycle::Criticality::kDegraded
                                                     : lifecycle::Criticality::kCritical)
        << spec.name;
    EXPECT_EQ(spec.start_timeout, std::chrono::seconds(7)) << spec.name;
  }
}

TEST(DeclaredGraphTest, ImpactOfDatabaseIsTheVmManagerAndTheApi) {
  auto graph = lifecycle::Graph::Build(DeclaredGraph(config::Config{}));
  ASSERT_TRUE(graph.ok());
  auto dependents = graph->Dependents("database");
  ASSERT_TRUE(dependents.ok());
  EXPECT_EQ(*dependents, (std::vector<std::string>{"vm_manager", "api"}));
}

}  // namespace
}  // namespace novacron::components
