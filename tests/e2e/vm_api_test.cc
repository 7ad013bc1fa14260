// VMs through the real daemon's REST API and CLI, on libvirt's test:///default driver (the
// driver lives inside the daemon process, so its domains end with the process: a restart shows
// how reconciliation reports records whose domains are gone).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class VmApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Hundreds of requests in a few seconds from one address: not what api.rate_limit is
    // tested with (tests/e2e/security_test.cc does that).
    daemon_.Start(dir_.path() / "data", {}, {{"NOVACRON_API_RATE_LIMIT", "0"}});
    port_ = daemon_.WaitForApi();
    ASSERT_NE(port_, 0) << daemon_.Stderr();
  }

  json Spec(const std::string& name) {
    return {{"name", name},
            {"vcpus", 1},
            {"memory_mib", 64},
            {"disks", json::array({{{"size_mib", 16}}})},
            {"labels", {{"app", "e2e"}}}};
  }

  // Polls the VM until its state is `state` (or 30 s passed); returns the last body.
  json WaitForState(const std::string& id, const std::string& state) {
    json vm;
    for (int i = 0; i < 300; ++i) {
      HttpResult r = HttpGet(port_, "/api/v1/vms/" + id);
      vm = json::parse(r.body, nullptr, false);
      if (vm.is_object() && vm.value("state", "") == state) return vm;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return vm;
  }

  std::string Server() const { return "127.0.0.1:" + std::to_string(port_); }

  TempDir dir_;
  DaemonProcess daemon_;
  uint16_t port_ = 0;
};

TEST_F(VmApiTest, CreateStartStopDeleteThroughTheApi) {
  HttpResult created = HttpCall(port_, "POST", "/api/v1/vms", Spec("e2e-web1").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  json vm = json::parse(created.body);
  const std::string id = vm["id"];
  EXPECT_EQ(vm["state"], "defined");
  EXPECT_EQ(created.etag, "\"1\"");

  HttpResult started = HttpCall(port_, "POST", "/api/v1/vms/" + id + "/start");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(json::parse(started.body)["state"], "starting");
  EXPECT_EQ(WaitForState(id, "running")["state"], "running");

  HttpResult again = HttpCall(port_, "POST", "/api/v1/vms/" + id + "/start");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.content_type, "application/problem+json");

  HttpResult listed = HttpGet(port_, "/api/v1/vms?state=running&label_selector=app=e2e");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(json::parse(listed.body)["items"].size(), 1u);

  HttpResult node = HttpGet(port_, "/api/v1/node");
  ASSERT_EQ(node.status, 200);
  EXPECT_EQ(json::parse(node.body)["vms"]["running"], 1);

  HttpResult stopped = HttpCall(port_, "POST", "/api/v1/vms/" + id + "/shutdown");
  ASSERT_EQ(stopped.status, 202) << stopped.body;
  EXPECT_EQ(WaitForState(id, "stopped")["state"], "stopped");

  HttpResult deleted = HttpCall(port_, "DELETE", "/api/v1/vms/" + id);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(HttpGet(port_, "/api/v1/vms/" + id).status, 404);

  std::string metrics = HttpGet(port_, "/metrics").body;
  EXPECT_NE(metrics.find("novacron_vm_operations_total{operation=\"create\",result=\"ok\"} 1"),
            std::string::npos);
}

// What an operator's script does (and what once broke within 60 cycles): several VMs, each
// cycled start -> running -> stop or shutdown -> stopped, all at once. Every accepted request
// must be carried out, and no VM may pass through `failed`. Bounded: 4 VMs x 12 cycles.
TEST_F(VmApiTest, ConcurrentStartStopCyclesAreEachCarriedOut) {
  constexpr int kVms = 4;
  constexpr int kCycles = 12;
  std::vector<std::string> ids;
  for (int i = 0; i < kVms; ++i) {
    HttpResult created =
        HttpCall(port_, "POST", "/api/v1/vms", Spec("e2e-cycle" + std::to_string(i)).dump());
    ASSERT_EQ(created.status, 201) << created.body;
    ids.push_back(json::parse(created.body)["id"]);
  }
  std::vector<std::string> problems(kVms);
  auto cycle = [&](int vm) {
    const std::string path = "/api/v1/vms/" + ids[vm];
    // Waits for `state`; any other answer is a problem worth the whole body.
    auto await = [&](const std::string& state) {
      for (int i = 0; i < 6000; ++i) {  // 30 s at most
        json body = json::parse(HttpGet(port_, path).body, nullptr, false);
        std::string now = body.is_object() ? body.value("state", "") : "";
        if (now == state) return true;
        if (now == "failed" || now == "defined") {
          problems[vm] = "saw " + body.dump();
          return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      problems[vm] = "never " + state + ": " + HttpGet(port_, path).body;
      return false;
    };
    for (int c = 0; c < kCycles; ++c) {
      HttpResult start = HttpCall(port_, "POST", path + "/start");
      if (start.status != 202) {
        problems[vm] = "start: " + std::to_string(start.status) + " " + start.body;
        return;
      }
      if (!await("running")) return;
      HttpResult stop = HttpCall(port_, "POST", path + (c % 2 ? "/stop" : "/shutdown"));
      if (stop.status != 202) {
        problems[vm] = "stop: " + std::to_string(stop.status) + " " + stop.body;
        return;
      }
      if (!await("stopped")) return;
    }
  };
  std::vector<std::thread> threads;
  for (int vm = 0; vm < kVms; ++vm) threads.emplace_back(cycle, vm);
  for (std::thread& t : threads) t.join();
  for (int vm = 0; vm < kVms; ++vm) EXPECT_EQ(problems[vm], "") << "vm " << vm;
  for (const std::string& id : ids) {
    json vm = json::parse(HttpGet(port_, "/api/v1/vms/" + id).body);
    EXPECT_EQ(vm["state"], "stopped");
    EXPECT_EQ(vm["last_error"], "");
  }
}

TEST_F(VmApiTest, HostileInputsGetProblemsAndTheDaemonStaysHealthy) {
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  json wrong_type = Spec("e2e-h1");
  wrong_type["vcpus"] = "two";
  json unknown = Spec("e2e-h2");
  unknown["gpu"] = true;
  json traversal = Spec("e2e-h3");
  traversal["disks"] = json::array({{{"base_image", "/images/../etc/shadow"}}});
  json relative = Spec("e2e-h4");
  relative["kernel"] = "vmlinuz";
  json bad_name = Spec("e2e-h5");
  bad_name["name"] = "<script>'\"&";
  // Outside vm.image_dirs (this used to answer 500); the daemon chooses the serial log path.
  json shadow = Spec("e2e-h6");
  shadow["disks"] = json::array({{{"base_image", "/etc/shadow"}}});
  json serial_path = Spec("e2e-h7");
  serial_path["serial_log"] = "/etc/cron.d/novacron";
  const std::vector<Case> cases = {
      {wrong_type.dump(), 422, "vcpus"},
      {unknown.dump(), 422, "gpu"},
      {traversal.dump(), 422, "disks[0].base_image"},
      {relative.dump(), 422, "kernel"},
      {bad_name.dump(), 422, "name"},
      {shadow.dump(), 422, "disks[0].base_image"},
      {serial_path.dump(), 422, "serial_log"},
      {"{not json", 400, ""},
      {"[]", 422, ""},
  };
  for (const Case& c : cases) {
    HttpResult r = HttpCall(port_, "POST", "/api/v1/vms", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json") << c.body;
    if (!c.field.empty()) {
      EXPECT_NE(r.body.find("\"" + c.field + "\""), std::string::npos) << r.body;
    }
  }
  HttpResult huge = HttpCall(port_, "POST", "/api/v1/vms", std::string(8 << 20, 'x'));
  EXPECT_EQ(huge.status, 413);
  HttpResult form = HttpCall(port_, "POST", "/api/v1/vms", "a=b",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(HttpGet(port_, "/api/v1/vms/..%2f..%2fetc").status, 400);

  HttpResult list = HttpGet(port_, "/api/v1/vms");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(json::parse(list.body)["items"].empty()) << list.body;
  EXPECT_EQ(HttpGet(port_, "/health/ready").status, 200);
}

TEST_F(VmApiTest, IfMatchAndIdempotencyKey) {
  std::map<std::string, std::string> key{{"Idempotency-Key", "create-e2e-idem"}};
  HttpResult first = HttpCall(port_, "POST", "/api/v1/vms", Spec("e2e-idem").dump(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResult replay = HttpCall(port_, "POST", "/api/v1/vms", Spec("e2e-idem").dump(), key);
  EXPECT_EQ(replay.status, 201) << replay.body;
  EXPECT_EQ(json::parse(replay.body)["id"], json::parse(first.body)["id"]);
  HttpResult other = HttpCall(port_, "POST", "/api/v1/vms", Spec("e2e-other").dump(), key);
  EXPECT_EQ(other.status, 422) << other.body;

  const std::string id = json::parse(first.body)["id"];
  HttpResult patched = HttpCall(port_, "PATCH", "/api/v1/vms/" + id,
                                R"({"labels": {"app": "e2e", "v": "2"}})", {{"If-Match", "\"1\""}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.etag, "\"2\"");
  HttpResult stale =
      HttpCall(port_, "PATCH", "/api/v1/vms/" + id, R"({"labels": {}})", {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(json::parse(HttpGet(port_, "/api/v1/vms/" + id).body)["spec"]["labels"]["v"], "2");
}

TEST_F(VmApiTest, RestartKeepsRecordsAndReconciles) {
  HttpResult created = HttpCall(port_, "POST", "/api/v1/vms?start=true", Spec("e2e-keep").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];
  WaitForState(id, "running");

  daemon_.Signal(SIGTERM);
  ASSERT_EQ(daemon_.WaitExit(seconds(30)), 0) << daemon_.Stderr();
  DaemonProcess second;
  second.Start(dir_.path() / "data");
  port_ = second.WaitForApi();
  ASSERT_NE(port_, 0) << second.Stderr();
  // Ready does not wait for reconciliation; its first round logs "reconciled" when done.
  ASSERT_TRUE(second.WaitForLog("\"msg\":\"reconciled\"")) << second.Stderr();
  HttpResult vm = HttpGet(port_, "/api/v1/vms/" + id);
  ASSERT_EQ(vm.status, 200) << vm.body;
  // The test driver's domains died with the first process: the record stays, with drift.
  EXPECT_EQ(json::parse(vm.body)["drift"], "missing_on_hypervisor") << vm.body;
  EXPECT_NE(second.Stderr().find("has no domain on test:///default"), std::string::npos);
  second.Signal(SIGTERM);
  EXPECT_EQ(second.WaitExit(seconds(30)), 0);
}

TEST_F(VmApiTest, CliCreatesListsStartsStopsAndDeletes) {
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 2, {"--server", Server()});
    return RunNovacron(args);
  };
  CommandResult created = cli({"vm", "create", "--name", "e2e-cli", "--memory", "64M", "--disk",
                               "size=16M", "--label", "app=cli", "--start", "--wait"});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  CommandResult list = cli({"vm", "list", "-o", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json items = json::parse(list.out)["items"];
  ASSERT_EQ(items.size(), 1u) << list.out;
  EXPECT_EQ(items[0]["state"], "running");
  CommandResult table = cli({"vm", "list"});
  EXPECT_NE(table.out.find("e2e-cli"), std::string::npos) << table.out;
  EXPECT_EQ(cli({"vm", "start", "e2e-cli"}).exit_code, 6);  // conflict: already running
  EXPECT_EQ(cli({"vm", "show", "nope"}).exit_code, 5);      // not found
  CommandResult stopped = cli({"vm", "stop", "e2e-cli", "--wait"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  CommandResult deleted = cli({"vm", "delete", "e2e-cli", "--yes"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(cli({"vm", "show", "e2e-cli"}).exit_code, 5);
}

}  // namespace
}  // namespace novacron::testing
