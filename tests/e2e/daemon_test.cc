// The real daemon in a temp dir: ready, probes, metrics through promtool, graceful stop in
// reverse order, failures with their exit codes, interrupted boots, SIGHUP reload.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// Index of the first JSON log line with `msg` for `component`; -1 if none.
int LineOf(const std::vector<std::string>& lines, const std::string& msg,
           const std::string& component) {
  for (size_t i = 0; i < lines.size(); ++i) {
    json j = json::parse(lines[i], nullptr, false);
    if (j.is_object() && j.value("msg", "") == msg && j.value("component", "") == component) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

TEST(DaemonTest, BootsReadyServesProbesAndStopsInReverseOrderOnSigterm) {
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data");
  uint16_t port = daemon.WaitForApi();
  ASSERT_NE(port, 0) << daemon.Stderr();
  ASSERT_TRUE(daemon.WaitForLog("\"novacron ready\"")) << daemon.Stderr();

  for (const char* path : {"/health/live", "/live", "/health/ready", "/ready", "/health/startup",
                           "/health/status", "/health"}) {
    HttpResult r = HttpGet(port, path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  }
  HttpResult status = HttpGet(port, "/health/status");
  json body = json::parse(status.body);
  EXPECT_EQ(body["status"], "ready");
  ASSERT_EQ(body["components"].size(), 10u);
  for (const auto& c : body["components"]) EXPECT_EQ(c["state"], "running") << c.dump();

  HttpResult components = HttpGet(port, "/api/v1/components/database");
  EXPECT_EQ(components.status, 200);
  EXPECT_EQ(json::parse(components.body)["dependents"], json::array({"vm_manager", "api"}));
  HttpResult missing = HttpGet(port, "/api/v1/components/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/problem+json");

  // `novacron status` finds the daemon through <data_dir>/api.addr.
  CommandResult cli = RunNovacron({"status", "--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("database"), std::string::npos) << cli.out;

  daemon.Signal(SIGTERM);
  std::optional<int> code = daemon.WaitExit(seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << daemon.Stderr();
  auto lines = daemon.LogLines();
  // Stops mirror starts: a component stops after everything that depends on it.
  int api = LineOf(lines, "component stopped", "api");
  int database = LineOf(lines, "component stopped", "database");
  int resources = LineOf(lines, "component stopped", "resources");
  int metrics = LineOf(lines, "component stopped", "metrics");
  int logger = LineOf(lines, "component stopped", "logger");
  int config = LineOf(lines, "component stopped", "config");
  ASSERT_GE(api, 0) << daemon.Stderr();
  EXPECT_LT(api, database);
  EXPECT_LT(database, resources);
  EXPECT_LT(api, metrics);
  EXPECT_LT(metrics, logger);
  EXPECT_LT(logger, config);
  EXPECT_LT(resources, config);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "api.addr"));
}

TEST(DaemonTest, MetricsPassPromtoolAndNameEverySpecMetric) {
  if (system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  }
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data");
  uint16_t port = daemon.WaitForApi();
  ASSERT_NE(port, 0) << daemon.Stderr();
  ASSERT_TRUE(daemon.WaitForLog("\"novacron ready\""));
  HttpResult metrics = HttpGet(port, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.content_type.find("text/plain; version=0.0.4"), std::string::npos);
  for (const char* name :
       {"novacron_init_duration_seconds{phase=\"core\"}",
        "novacron_component_init_duration_seconds{component=\"database\"}",
        "novacron_component_init_success_total{component=\"api\"}",
        "novacron_component_init_failures_total", "novacron_component_retry_attempts_total",
        "novacron_init_total_duration_seconds", "novacron_components_initialized_total 10",
        "novacron_components_failed_total 0", "novacron_component_healthy{component=\"api\"} 1",
        "novacron_ready 1", "process_resident_memory_bytes"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name;
  }
  std::filesystem::path file = dir.Write("metrics.txt", metrics.body);
  std::string cmd = "promtool check metrics < " + file.string() + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  EXPECT_EQ(pclose(p), 0) << out;
  EXPECT_EQ(out, "");
}

TEST(DaemonTest, CriticalFailureRollsBackInReverseAndExits3) {
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data", {},
               {{"NOVACRON_FAILPOINTS", "api=fail"}, {"NOVACRON_SYSTEM_ALLOW_FAILPOINTS", "true"}});
  std::optional<int> code = daemon.WaitExit(seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3) << daemon.Stderr();
  std::string err = daemon.Stderr();
  EXPECT_NE(err.find("critical component failed; aborting boot"), std::string::npos) << err;
  EXPECT_NE(err.find("injected a failure"), std::string::npos) << err;
  auto lines = daemon.LogLines();
  int database = LineOf(lines, "component stopped", "database");
  int resources = LineOf(lines, "component stopped", "resources");
  int config = LineOf(lines, "component stopped", "config");
  ASSERT_GE(database, 0) << err;
  EXPECT_LT(database, resources);
  EXPECT_LT(resources, config);
  EXPECT_EQ(LineOf(lines, "component stopped", "api"), -1) << "api never started";

  CommandResult boots =
      RunNovacron({"boots", "-o", "json", "--data-dir", (dir.path() / "data").string()});
  ASSERT_EQ(boots.exit_code, 0) << boots.err;
  json items = json::parse(boots.out)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["state"], "failed");
  EXPECT_NE(items[0]["error"].get<std::string>().find("api"), std::string::npos);
}

TEST(DaemonTest, FailedPreflightExits1) {
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data", {"--set", "resources.min_memory_mib=999999999"});
  std::optional<int> code = daemon.WaitExit(seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1) << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("preflight check failed"), std::string::npos);
}

// An inherited NOVACRON_FAILPOINTS cannot break a node that does not allow fault injection.
TEST(DaemonTest, FailpointsAreIgnoredUnlessAllowed) {
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data", {}, {{"NOVACRON_FAILPOINTS", "api=fail"}});
  ASSERT_TRUE(daemon.WaitForLog("NOVACRON_FAILPOINTS is set but ignored")) << daemon.Stderr();
  ASSERT_TRUE(daemon.WaitForLog("\"novacron ready\"")) << daemon.Stderr();
  daemon.Signal(SIGTERM);
  std::optional<int> code = daemon.WaitExit(seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << daemon.Stderr();
  EXPECT_EQ(daemon.Stderr().find("injected a failure"), std::string::npos) << daemon.Stderr();
}

TEST(DaemonTest, CriticalComponentsGetOneAttemptEvenForRetriableErrors) {
  // Critical components get one attempt; a retriable failure of one is still fatal. The
  // failpoint shows the retry metric stays at zero and the boot fails naming the cause.
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(
      dir.path() / "data", {},
      {{"NOVACRON_FAILPOINTS", "database=fail(1)"}, {"NOVACRON_SYSTEM_ALLOW_FAILPOINTS", "true"}});
  std::optional<int> code = daemon.WaitExit(seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3);
  EXPECT_NE(daemon.Stderr().find("injected failure 1 of 1"), std::string::npos);
}

TEST(DaemonTest, KillDuringBootLeavesAnInterruptedBootThatTheNextBootReports) {
  TempDir dir;
  std::filesystem::path data = dir.path() / "data";
  {
    DaemonProcess daemon;
    daemon.Start(
        data, {},
        {{"NOVACRON_FAILPOINTS", "api=delay(60s)"}, {"NOVACRON_SYSTEM_ALLOW_FAILPOINTS", "true"}});
    ASSERT_TRUE(daemon.WaitForLog("core_init_complete")) << daemon.Stderr();
    // The boot record is written by a writer thread; wait until it shows the boot.
    bool recorded = false;
    for (int i = 0; i < 500 && !recorded; ++i) {
      CommandResult b = RunNovacron({"boots", "-o", "json", "--data-dir", data.string()});
      if (b.exit_code == 0) {
        json items = json::parse(b.out)["items"];
        for (const auto& cp : items.empty() ? json::array() : items[0]["checkpoints"]) {
          recorded = recorded || cp["name"] == "core_init_complete";
        }
      }
      if (!recorded) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(recorded);
    daemon.Signal(SIGKILL);
    ASSERT_EQ(daemon.WaitExit(seconds(10)), 128 + SIGKILL);
  }
  DaemonProcess again;
  again.Start(data);
  ASSERT_NE(again.WaitForApi(), 0) << again.Stderr();
  ASSERT_TRUE(again.WaitForLog("earlier boots did not end cleanly")) << again.Stderr();

  CommandResult boots = RunNovacron({"boots", "-o", "json", "--data-dir", data.string()});
  ASSERT_EQ(boots.exit_code, 0) << boots.err;
  json items = json::parse(boots.out)["items"];
  ASSERT_EQ(items.size(), 2u) << boots.out;
  const json& interrupted = items[1];
  EXPECT_EQ(interrupted["state"], "interrupted");
  std::vector<std::string> checkpoints;
  for (const auto& cp : interrupted["checkpoints"]) checkpoints.push_back(cp["name"]);
  EXPECT_EQ(checkpoints,
            (std::vector<std::string>{"init_start", "pre_init_complete", "core_init_complete"}));
  bool api_was_starting = false;
  for (const auto& c : interrupted["components"]) {
    if (c["name"] == "api") api_was_starting = c["state"] == "starting";
  }
  EXPECT_TRUE(api_was_starting) << interrupted.dump(2);
  CommandResult table = RunNovacron({"boots", "--data-dir", data.string()});
  EXPECT_NE(table.out.find("interrupted"), std::string::npos) << table.out;
  again.Signal(SIGTERM);
  EXPECT_EQ(again.WaitExit(seconds(30)), 0);
}

TEST(DaemonTest, SighupAppliesTheLogLevelAndNamesWhatNeedsARestart) {
  TempDir dir;
  std::filesystem::path cfg = dir.Write("novacron.yaml", "system:\n  log_level: info\n");
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data", {"--config", cfg.string()});
  ASSERT_NE(daemon.WaitForApi(), 0) << daemon.Stderr();
  ASSERT_TRUE(daemon.WaitForLog("\"novacron ready\""));
  dir.Write("novacron.yaml", "system:\n  log_level: debug\n  max_concurrency: 3\n");
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(daemon.WaitForLog("reload: changed, takes effect on restart")) << daemon.Stderr();
  std::string err = daemon.Stderr();
  EXPECT_NE(err.find("\"key\":\"system.log_level\""), std::string::npos) << err;
  EXPECT_NE(err.find("\"key\":\"system.max_concurrency\""), std::string::npos) << err;
  // A broken file on reload keeps the running configuration.
  dir.Write("novacron.yaml", "system: [\n");
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(daemon.WaitForLog("keeping the running one")) << daemon.Stderr();
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(30)), 0);
}

TEST(DaemonTest, StartTimeoutIsAFailure) {
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data", {"--set", "system.start_timeout=300ms"},
               {{"NOVACRON_FAILPOINTS", "api=hang"}, {"NOVACRON_SYSTEM_ALLOW_FAILPOINTS", "true"}});
  std::optional<int> code = daemon.WaitExit(seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3) << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("did not start within 300 ms"), std::string::npos)
      << daemon.Stderr();
  EXPECT_EQ(daemon.Stderr().find("unknown configuration variable"), std::string::npos);
}

TEST(DaemonTest, SigtermDuringBootCancelsAndRollsBack) {
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(dir.path() / "data", {},
               {{"NOVACRON_FAILPOINTS", "api=hang"}, {"NOVACRON_SYSTEM_ALLOW_FAILPOINTS", "true"}});
  ASSERT_TRUE(daemon.WaitForLog("\"component starting\",\"component\":\"api\"")) << daemon.Stderr();
  daemon.Signal(SIGTERM);
  std::optional<int> code = daemon.WaitExit(seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("boot cancelled"), std::string::npos) << daemon.Stderr();
}

}  // namespace
}  // namespace novacron::testing
