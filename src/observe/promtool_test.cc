// Checks the renderer against the real Prometheus tool: `promtool check metrics` parses the
// exposition and lints it (naming conventions, histogram shape, escaping).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "observe/metrics.h"
#include "observe/process_metrics.h"

namespace novacron::observe {
namespace {

constexpr char kPromtool[] = "/usr/bin/promtool";

struct ToolResult {
  int exit_code = -1;
  std::string output;
};

// Runs `promtool check metrics` with `input` on stdin, capturing stdout and stderr.
ToolResult RunPromtool(const std::string& input) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("novacron_promtool_" + std::string(info->name()) + "_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "metrics.txt";
  const auto out = dir / "out.txt";
  std::ofstream(in) << input;
  const std::string command = std::string(kPromtool) + " check metrics < '" + in.string() +
                              "' > '" + out.string() + "' 2>&1";
  ToolResult result;
  const int status = std::system(command.c_str());
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream output(out);
  std::stringstream buffer;
  buffer << output.rdbuf();
  result.output = buffer.str();
  std::filesystem::remove_all(dir);
  return result;
}

class PromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPromtool, X_OK) != 0) {
      GTEST_SKIP() << kPromtool << " is not installed (Debian package 'prometheus'); "
                   << "the exposition is not checked by the real tool";
    }
  }
};

TEST_F(PromtoolTest, RenderedRegistryHasNoProblems) {
  Registry registry;
  ASSERT_TRUE(RegisterProcessMetrics(registry).ok());
  auto inits = registry.RegisterCounter("novacron_component_init_success_total",
                                        "Components that initialized successfully.", {"component"});
  auto failures =
      registry.RegisterCounter("novacron_component_init_failures_total",
                               "Component initialization failures.", {"component", "error_type"});
  auto healthy = registry.RegisterGauge(
      "novacron_component_healthy", "1 when the component's health check passes.", {"component"});
  auto phase = registry.RegisterHistogram("novacron_init_duration_seconds",
                                          "Duration of each initialization phase in seconds.",
                                          {"phase"}, ExponentialBuckets(0.001, 4, 8));
  auto boot = registry.RegisterHistogram("novacron_boot_duration_seconds",
                                         "Duration of the whole boot in seconds.");
  ASSERT_TRUE(inits.ok() && failures.ok() && healthy.ok() && phase.ok() && boot.ok());
  ASSERT_TRUE(registry
                  .RegisterGaugeFunc("novacron_uptime_seconds", "Seconds since the daemon started.",
                                     [] { return 1234.5; })
                  .ok());

  (*inits)->WithLabels({"database"}).Inc();
  (*inits)->WithLabels({"cache \"redis\"\\\nprimary"}).Add(3);  // every escape in a label value
  (*failures)->WithLabels({"cache", "unavailable"}).Inc();
  (*healthy)->WithLabels({"database"}).Set(1);
  (*healthy)->WithLabels({"cache"}).Set(0);
  for (double v : {0.0005, 0.002, 0.1, 0.5, 40.0}) (*phase)->WithLabels({"core"}).Observe(v);
  (*phase)->WithLabels({"pre-init"}).Observe(0.01);
  (*boot)->Get().Observe(2.5);

  const std::string text = registry.Render();
  const ToolResult result = RunPromtool(text);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n--- input ---\n" << text;
  EXPECT_EQ(result.output, "") << "\n--- input ---\n" << text;
}

// The check must be able to fail: a broken exposition is reported.
TEST_F(PromtoolTest, DetectsProblems) {
  const ToolResult lint =
      RunPromtool("# HELP requests Requests.\n# TYPE requests counter\nrequests 1\n");
  EXPECT_NE(lint.exit_code, 0);
  EXPECT_NE(lint.output.find("_total"), std::string::npos) << lint.output;
}

}  // namespace
}  // namespace novacron::observe
