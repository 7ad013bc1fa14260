#include "config/reload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace novacron::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(Diff, SameConfigIsEmpty) {
  ReloadPlan plan = Diff(Config{}, Config{});
  EXPECT_TRUE(plan.empty());
  EXPECT_FALSE(plan.NeedsRestart());
}

TEST(Diff, SplitsReloadableFromRestart) {
  Config old_config;
  Config new_config;
  new_config.system.log_level = LogLevel::kDebug;
  new_config.api.rate_limit = 5;
  new_config.api.port = 9999;
  new_config.dwcp.transport.max_streams = 128;
  ReloadPlan plan = Diff(old_config, new_config);
  EXPECT_THAT(plan.reloadable, ElementsAre("system.log_level", "api.rate_limit"));
  EXPECT_THAT(plan.restart_required, ElementsAre("dwcp.transport.max_streams", "api.port"));
  EXPECT_TRUE(plan.NeedsRestart());
}

TEST(Diff, OnlyReloadableChanges) {
  Config old_config;
  Config new_config;
  new_config.dwcp.forced_mode = DwcpMode::kDatacenter;
  new_config.api.cors_allowed_origins = {"https://x.example"};
  ReloadPlan plan = Diff(old_config, new_config);
  EXPECT_THAT(plan.reloadable, ElementsAre("dwcp.forced_mode", "api.cors_allowed_origins"));
  EXPECT_THAT(plan.restart_required, IsEmpty());
  EXPECT_FALSE(plan.NeedsRestart());
}

}  // namespace
}  // namespace novacron::config
