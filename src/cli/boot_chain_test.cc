#include "cli/boot_chain.h"

#include <gtest/gtest.h>

namespace novacron::cli {
namespace {

using std::chrono::microseconds;

store::ComponentRecord C(std::string name, std::vector<std::string> deps, int start, int end) {
  store::ComponentRecord r;
  r.name = std::move(name);
  r.dependencies = std::move(deps);
  r.start_offset = microseconds(start);
  r.end_offset = microseconds(end);
  return r;
}

TEST(SlowestChainTest, FollowsTheDependencyThatFinishedLast) {
  store::BootRecord boot;
  boot.components = {C("config", {}, 0, 10),
                     C("resources", {"config"}, 10, 50),
                     C("logger", {"config"}, 10, 20),
                     C("metrics", {"config", "logger"}, 20, 30),
                     C("database", {"config", "resources"}, 50, 90),
                     C("api", {"metrics", "database"}, 90, 100)};
  std::vector<std::string> names;
  for (const auto* c : SlowestChain(boot)) names.push_back(c->name);
  EXPECT_EQ(names, (std::vector<std::string>{"config", "resources", "database", "api"}));
}

TEST(SlowestChainTest, InterruptedBootEndsAtTheLastFinishedComponent) {
  store::BootRecord boot;
  boot.components = {C("config", {}, 0, 10), C("resources", {"config"}, 10, 50)};
  boot.components.push_back(C("database", {"resources"}, 50, 0));
  boot.components.back().end_offset.reset();
  std::vector<std::string> names;
  for (const auto* c : SlowestChain(boot)) names.push_back(c->name);
  EXPECT_EQ(names, (std::vector<std::string>{"config", "resources"}));
}

TEST(SlowestChainTest, EmptyBoot) { EXPECT_TRUE(SlowestChain(store::BootRecord{}).empty()); }

}  // namespace
}  // namespace novacron::cli
