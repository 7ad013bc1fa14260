// The command line itself: help, version, graph, check, and a status with no daemon.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/process.h"

namespace novacron::testing {
namespace {

TEST(CliTest, HelpForEveryCommandExits0) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"run", "--help"},
                                        {"check", "--help"},
                                        {"config", "--help"},
                                        {"config", "validate", "--help"},
                                        {"config", "show", "--help"},
                                        {"graph", "--help"},
                                        {"status", "--help"},
                                        {"boots", "--help"},
                                        {"sim", "placement", "--help"}}) {
    CommandResult r = RunNovacron(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
  CommandResult run_help = RunNovacron({"run", "--help"});
  for (const char* flag : {"--config", "--set", "--data-dir", "--log-level", "--listen"}) {
    EXPECT_NE(run_help.out.find(flag), std::string::npos) << flag;
  }
}

TEST(CliTest, UsageErrorsExit2) {
  EXPECT_EQ(RunNovacron({}).exit_code, 2);
  EXPECT_EQ(RunNovacron({"explode"}).exit_code, 2);
  EXPECT_EQ(RunNovacron({"graph", "--format", "png"}).exit_code, 2);
}

// The simulator runs the daemon's placement code offline; all but the timings follow the seed.
TEST(CliTest, SimPlacementIsDeterministicPerSeedAndRefusesBadSizes) {
  auto without_times = [](std::string out) {
    std::string kept;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("time") == std::string::npos) kept += line + "\n";
    }
    return kept;
  };
  std::vector<std::string> args = {"sim",   "placement", "--nodes", "50",
                                   "--vms", "600",       "--seed",  "7"};
  CommandResult first = RunNovacron(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("used / bound"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("placed          600"), std::string::npos) << first.out;
  EXPECT_EQ(without_times(RunNovacron(args).out), without_times(first.out));
  args.back() = "8";
  EXPECT_NE(without_times(RunNovacron(args).out), without_times(first.out));
  EXPECT_EQ(RunNovacron({"sim", "placement", "--nodes", "0"}).exit_code, 2);
  EXPECT_EQ(RunNovacron({"sim", "placement", "--strategy", "random"}).exit_code, 2);
}

TEST(CliTest, Version) {
  CommandResult r = RunNovacron({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("novacron ", 0), 0u) << r.out;
}

TEST(CliTest, GraphAsDotMermaidLevelsAndImpact) {
  CommandResult dot = RunNovacron({"graph"});
  ASSERT_EQ(dot.exit_code, 0);
  EXPECT_NE(dot.out.find("digraph"), std::string::npos) << dot.out;
  EXPECT_NE(dot.out.find("\"database\" -> \"api\""), std::string::npos) << dot.out;
  CommandResult mermaid = RunNovacron({"graph", "--format", "mermaid"});
  EXPECT_NE(mermaid.out.find("flowchart"), std::string::npos) << mermaid.out;
  CommandResult levels = RunNovacron({"graph", "--format", "levels"});
  EXPECT_EQ(levels.out.rfind("0: config\n", 0), 0u) << levels.out;
  CommandResult impact = RunNovacron({"graph", "--impact", "resources"});
  EXPECT_EQ(impact.out, "database\nvm_manager\napi\n");
  EXPECT_EQ(RunNovacron({"graph", "--impact", "nope"}).exit_code, 2);
}

TEST(CliTest, CheckPrintsTheTableAndFailsBelowThresholds) {
  TempDir dir;
  CommandResult ok = RunNovacron({"check", "--data-dir", dir.path().string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  for (const char* s : {"CHECK", "cpus", "memory", "disk_free", "kvm", "preflight passed"}) {
    EXPECT_NE(ok.out.find(s), std::string::npos) << s << "\n" << ok.out;
  }
  CommandResult bad =
      RunNovacron({"check", "--data-dir", dir.path().string(), "--set", "resources.min_cpus=4096"});
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.out.find("FAIL"), std::string::npos) << bad.out;
  CommandResult json = RunNovacron({"check", "-o", "json", "--data-dir", dir.path().string()});
  EXPECT_TRUE(nlohmann::json::parse(json.out)["ok"].get<bool>());
}

TEST(CliTest, StatusWithoutADaemonExits4) {
  TempDir dir;
  CommandResult r = RunNovacron({"status", "--server", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

TEST(CliTest, BootsWithoutAStoreSaysSo) {
  TempDir dir;
  CommandResult r = RunNovacron({"boots", "--data-dir", (dir.path() / "none").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no boots recorded"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none"));
}

}  // namespace
}  // namespace novacron::testing
