// ApiClient, list paging and --wait against a real HTTP server on loopback that answers like
// the daemon's API (the daemon itself is exercised by the end-to-end tests).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "cli/cmd_vm_api_client.h"
#include "cli/cmd_vm_errors.h"
#include "cli/cmd_vm_list_query.h"
#include "cli/cmd_vm_wait.h"
#include "cli/fake_daemon_for_test.h"
#include "servers/server_util.h"

namespace novacron::cli {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json Vm(int i, const std::string& state = "stopped") {
  return {{"id", "id-" + std::to_string(i)},
          {"name", "vm" + std::to_string(i)},
          {"state", state},
          {"spec", {{"name", "vm" + std::to_string(i)}}}};
}

http::Response Problem(int status, const std::string& title, const std::string& detail) {
  return http::Response::Problem(status, title, detail);
}

TEST(VmApiClientTest, PagesFollowCursorAndFiltersAreSent) {
  std::mutex mu;
  std::vector<std::string> seen_queries;
  http::Router router;
  router.Get("/api/v1/vms", [&](const http::Request& req) {
    {
      std::lock_guard lock(mu);
      seen_queries.push_back(req.query);
    }
    if (req.QueryParam("state") != "stopped" || req.QueryParam("label_selector") != "app=web") {
      return Problem(400, "Bad Request", "filters lost");
    }
    int limit = std::stoi(req.QueryParam("limit").value_or("100"));
    int start = std::stoi(req.QueryParam("cursor").value_or("0"));
    json items = json::array();
    for (int i = start; i < std::min(start + limit, 5); ++i) items.push_back(Vm(i));
    std::string next = start + limit < 5 ? std::to_string(start + limit) : "";
    return http::Response::Json(200, json{{"items", items}, {"next_cursor", next}}.dump());
  });
  FakeDaemon daemon(std::move(router));
  daemon.Start();
  VmListQuery query{.state = "stopped", .label_selector = "app=web", .limit = 2};

  auto first = FetchVms(daemon.Client(), query, /*all=*/false);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[1]["name"], "vm1");
  EXPECT_EQ(first->next_cursor, "2");

  auto all = FetchVms(daemon.Client(), query, /*all=*/true);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->items.size(), 5u);
  EXPECT_EQ(all->items[4]["name"], "vm4");
  EXPECT_EQ(all->next_cursor, "");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen_queries.size(), 4u);  // 1 + 3 pages
}

TEST(VmApiClientTest, RepeatedCursorStopsPaging) {
  http::Router router;
  router.Get("/api/v1/vms", [](const http::Request&) {
    return http::Response::Json(200, R"({"items": [], "next_cursor": "same"})");
  });
  FakeDaemon daemon(std::move(router));
  daemon.Start();
  auto all = FetchVms(daemon.Client(), {}, /*all=*/true);
  EXPECT_EQ(all.status().code(), ErrorCode::kInternal);
  EXPECT_NE(all.status().message().find("twice"), std::string::npos);
}

TEST(VmApiClientTest, SendsJsonAndHeadersAndMapsProblems) {
  http::Router router;
  router.Post("/api/v1/vms", [](const http::Request& req) {
    if (req.Header("Content-Type") != "application/json") {
      return Problem(415, "Unsupported Media Type", "json please");
    }
    json spec = json::parse(req.body);
    if (spec.value("name", "") == "taken") {
      return Problem(409, "Conflict", "vm 'taken' already exists");
    }
    json vm = Vm(7, req.QueryParam("start") == "true" ? "starting" : "defined");
    vm["idempotency_key"] = std::string(req.Header("Idempotency-Key"));
    return http::Response::Json(201, vm.dump());
  });
  FakeDaemon daemon(std::move(router));
  daemon.Start();
  ApiClient client = daemon.Client();

  auto created = Expect2xx(
      client.Post("/api/v1/vms?start=true", json{{"name", "vm7"}}, {{"Idempotency-Key", "k1"}}));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->body["state"], "starting");
  EXPECT_EQ(created->body["idempotency_key"], "k1");

  auto taken = Expect2xx(client.Post("/api/v1/vms", json{{"name", "taken"}}));
  EXPECT_EQ(taken.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(taken.status().message(), "409 Conflict: vm 'taken' already exists");

  auto missing = Expect2xx(client.Get(VmPath("nope")));  // no route: the router's 404 problem
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ExitCodeFor(missing.status()), 5);
}

TEST(VmApiClientTest, NoDaemonIsUnavailable) {
  // A port that was free a moment ago: nothing listens there.
  auto port = static_cast<uint16_t>(novacron::testing::PickFreePort());

  auto r = ApiClient({"127.0.0.1", port}, 5s).Get("/api/v1/vms");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(ExitCodeFor(r.status()), 4);
  EXPECT_NE(r.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

// GET /api/v1/vms/{id} answers `transitions` times with the first state, then the second.
http::Router StateSequence(std::atomic<int>& gets, int transitions, json then) {
  http::Router router;
  router.Get("/api/v1/vms/{id}", [&gets, transitions, then](const http::Request& req) {
    if (req.Param("id") != "id-1") return Problem(404, "Not Found", "no vm");
    int n = ++gets;
    if (then.is_null() && n > transitions) return Problem(404, "Not Found", "vm 'vm1' not found");
    return http::Response::Json(200, (n <= transitions ? Vm(1, "starting") : then).dump());
  });
  return router;
}

TEST(VmWaitTest, PollsUntilTheTargetState) {
  std::atomic<int> gets = 0;
  FakeDaemon daemon(StateSequence(gets, 3, Vm(1, "running")));
  daemon.Start();
  auto vm = WaitForVmState(daemon.Client(), Vm(1, "starting"), "running", 60s, 1ms);
  ASSERT_TRUE(vm.ok()) << vm.status().ToString();
  EXPECT_EQ((*vm)["state"], "running");
  EXPECT_EQ(gets.load(), 4);
}

TEST(VmWaitTest, AlreadyThereNeedsNoPoll) {
  std::atomic<int> gets = 0;
  FakeDaemon daemon(StateSequence(gets, 0, Vm(1, "running")));
  daemon.Start();
  EXPECT_TRUE(WaitForVmState(daemon.Client(), Vm(1, "running"), "running", 60s, 1ms).ok());
  EXPECT_EQ(gets.load(), 0);
}

TEST(VmWaitTest, FailedVmIsAnError) {
  std::atomic<int> gets = 0;
  json failed = Vm(1, "failed");
  failed["last_error"] = "qemu exited: no kvm";
  FakeDaemon daemon(StateSequence(gets, 1, failed));
  daemon.Start();
  auto vm = WaitForVmState(daemon.Client(), Vm(1, "starting"), "running", 60s, 1ms);
  EXPECT_EQ(vm.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(vm.status().message(), "vm vm1 failed: qemu exited: no kvm");
  EXPECT_EQ(ExitCodeFor(vm.status()), 1);
}

TEST(VmWaitTest, VanishedVmIsNotFound) {
  std::atomic<int> gets = 0;
  FakeDaemon daemon(StateSequence(gets, 2, nullptr));
  daemon.Start();
  auto vm = WaitForVmState(daemon.Client(), Vm(1, "stopping"), "stopped", 60s, 1ms);
  EXPECT_EQ(vm.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ExitCodeFor(vm.status()), 5);
}

TEST(VmWaitTest, TimesOut) {
  std::atomic<int> gets = 0;
  FakeDaemon daemon(StateSequence(gets, 1 << 30, nullptr));
  daemon.Start();
  auto vm = WaitForVmState(daemon.Client(), Vm(1, "starting"), "running", 30ms, 1ms);
  EXPECT_EQ(vm.status().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(vm.status().message(),
            "timed out after 30ms waiting for vm vm1 to be running (it is starting)");
  EXPECT_EQ(ExitCodeFor(vm.status()), 7);
  EXPECT_GE(gets.load(), 1);
}

}  // namespace
}  // namespace novacron::cli
