// The VM and node routes over HTTP on the real stack: vm::NewVmManager over the SQLite state
// store (which also keeps the Idempotency-Key records) and libvirt's test:///default driver.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/real_vm_stack_for_test.h"

namespace novacron::api {
namespace {

using nlohmann::json;
using testing::Body;

class VmRoutesTest : public testing::ApiOnRealStackTest {
 protected:
  std::string Detail(const http::ClientResponse& r) { return Body(r).value("detail", ""); }
};

TEST_F(VmRoutesTest, CreateAnswers201WithLocationAndEtag) {
  const std::string name = Name("web1");
  http::ClientResponse r = Create(name);
  ASSERT_EQ(r.status, 201) << r.body;
  json vm = Body(r);
  EXPECT_EQ(vm["name"], name);
  EXPECT_EQ(vm["state"], "defined");
  EXPECT_EQ(vm["version"], 1);
  EXPECT_EQ(vm["spec"]["memory_mib"], 64);
  EXPECT_EQ(vm["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(r.Header("Location"), "/api/v1/vms/" + vm["id"].get<std::string>());
  EXPECT_EQ(r.Header("ETag"), "\"1\"");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  // The Location names the VM that was created.
  http::ClientResponse located = Call("GET", std::string(r.Header("Location")));
  ASSERT_EQ(located.status, 200) << located.body;
  EXPECT_EQ(Body(located)["name"], name);
}

TEST_F(VmRoutesTest, CreateWithStartIsStartingThenRunning) {
  const std::string name = Name("web1");
  http::ClientResponse r = Create(name, "?start=true");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["state"], "starting");
  EXPECT_EQ(AwaitState(name, "running")["state"], "running");
  EXPECT_EQ(Create(Name("web2"), "?start=maybe").status, 400);
  EXPECT_EQ(Create(Name("web3"), "?begin=true").status, 400);
}

TEST_F(VmRoutesTest, NameTakenAndInsufficientCapacityAre409) {
  const std::string name = Name("web1");
  ASSERT_EQ(Create(name).status, 201);
  http::ClientResponse taken = Create(name);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.Header("Content-Type"), "application/problem+json");
  EXPECT_NE(Detail(taken).find("is taken"), std::string::npos) << taken.body;

  // Memory is not overcommitted by default: one MiB more than the host has does not fit.
  http::ClientResponse node = Call("GET", "/api/v1/node");
  ASSERT_EQ(node.status, 200) << node.body;
  uint64_t host_mib = Body(node)["memory_mib"];
  ASSERT_GT(host_mib, 64u);
  http::ClientResponse big =
      Call("POST", "/api/v1/vms",
           json{{"name", Name("big")}, {"vcpus", 1}, {"memory_mib", host_mib + 1}}.dump());
  EXPECT_EQ(big.status, 409) << big.body;
  EXPECT_EQ(Body(big)["title"], "Insufficient capacity");
  EXPECT_NE(Detail(big).find("does not fit"), std::string::npos) << big.body;
  EXPECT_EQ(Call("GET", "/api/v1/vms/" + Name("big")).status, 404);
}

TEST_F(VmRoutesTest, GetByIdOrNameAnd404) {
  const std::string name = Name("web1");
  json created = Body(Create(name));
  http::ClientResponse by_name = Call("GET", "/api/v1/vms/" + name);
  ASSERT_EQ(by_name.status, 200);
  EXPECT_EQ(Body(by_name)["id"], created["id"]);
  EXPECT_EQ(by_name.Header("ETag"), "\"1\"");
  http::ClientResponse by_id = Call("GET", "/api/v1/vms/" + created["id"].get<std::string>());
  EXPECT_EQ(by_id.status, 200);
  EXPECT_EQ(Body(by_id)["name"], name);
  http::ClientResponse missing = Call("GET", "/api/v1/vms/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(Call("GET", "/api/v1/vms/" + std::string(300, 'a')).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/vms/%2e%2e").status, 400);  // router: dot segment
}

TEST_F(VmRoutesTest, ListPagesFiltersAndRefusesBadQueries) {
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) {
    created.push_back(Name("vm" + std::to_string(i)));
    ASSERT_EQ(Create(created.back()).status, 201);
  }
  ASSERT_EQ(Call("POST", "/api/v1/vms/" + created[3] + "/start").status, 202);
  AwaitState(created[3], "running");
  ASSERT_EQ(Call("PATCH", "/api/v1/vms/" + created[1], R"({"labels":{"tier":"web"}})").status, 200);

  std::vector<std::string> names;
  std::string cursor;
  int pages = 0;
  do {
    std::string target = "/api/v1/vms?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor);
    http::ClientResponse r = Call("GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    json page = Body(r);
    EXPECT_LE(page["items"].size(), 2u);
    for (const json& vm : page["items"]) names.push_back(vm["name"]);
    cursor = page["next_cursor"];
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(names, created);  // creation order, each once
  EXPECT_EQ(pages, 3);

  json running = Body(Call("GET", "/api/v1/vms?state=running"));
  ASSERT_EQ(running["items"].size(), 1u) << running;
  EXPECT_EQ(running["items"][0]["name"], created[3]);
  EXPECT_EQ(Body(Call("GET", "/api/v1/vms?state=defined"))["items"].size(), 4u);
  json web = Body(Call("GET", "/api/v1/vms?label_selector=tier%3Dweb"));
  ASSERT_EQ(web["items"].size(), 1u) << web;
  EXPECT_EQ(web["items"][0]["name"], created[1]);
  EXPECT_TRUE(
      Body(Call("GET", "/api/v1/vms?label_selector=tier%3Dweb&state=running"))["items"].empty());

  EXPECT_EQ(Body(Call("GET", "/api/v1/vms?limit=0"))["field"], "limit");
  EXPECT_EQ(Body(Call("GET", "/api/v1/vms?state=asleep"))["field"], "state");
  EXPECT_EQ(Body(Call("GET", "/api/v1/vms?label_selector=x"))["field"], "label_selector");
  http::ClientResponse bad_cursor = Call("GET", "/api/v1/vms?cursor=zzz");
  EXPECT_EQ(bad_cursor.status, 400) << bad_cursor.body;
  EXPECT_EQ(Body(bad_cursor)["field"], "cursor");
}

TEST_F(VmRoutesTest, PatchMergesLabelsAndChecksIfMatch) {
  const std::string path = "/api/v1/vms/" + Name("web1");
  ASSERT_EQ(Create(Name("web1")).status, 201);
  http::ClientResponse r =
      Call("PATCH", path, R"({"labels":{"tier":"web","env":"prod"}})",
           {{"Content-Type", "application/merge-patch+json"}, {"If-Match", "\"1\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("ETag"), "\"2\"");
  EXPECT_EQ(Body(r)["spec"]["labels"], (json{{"tier", "web"}, {"env", "prod"}}));
  r = Call("PATCH", path, R"({"labels":{"env":null},"vcpus":2})", {{"If-Match", "\"2\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["spec"]["labels"], (json{{"tier", "web"}}));
  EXPECT_EQ(Body(r)["spec"]["vcpus"], 2);
  EXPECT_EQ(r.Header("ETag"), "\"3\"");

  http::ClientResponse stale = Call("PATCH", path, R"({"vcpus":3})", {{"If-Match", "\"2\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(Body(stale)["field"], "If-Match");
  EXPECT_EQ(Body(Call("GET", path))["spec"]["vcpus"], 2);  // the stale write changed nothing
  EXPECT_EQ(Call("PATCH", path, R"({"vcpus":3})", {{"If-Match", "2"}}).status, 400);

  r = Call("PATCH", path, R"({"labels":null})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(Body(r)["spec"].contains("labels"));
  EXPECT_FALSE(Body(Call("GET", path))["spec"].contains("labels"));
}

TEST_F(VmRoutesTest, PatchResizeWhileRunningIs409) {
  const std::string name = Name("web1");
  ASSERT_EQ(Create(name, "?start=true").status, 201);
  AwaitState(name, "running");
  http::ClientResponse resize = Call("PATCH", "/api/v1/vms/" + name, R"({"vcpus":2})");
  EXPECT_EQ(resize.status, 409) << resize.body;
  EXPECT_NE(Detail(resize).find("stop it first"), std::string::npos) << resize.body;
  EXPECT_EQ(Body(Call("GET", "/api/v1/vms/" + name))["spec"]["vcpus"], 1);
  // Labels may change while it runs.
  EXPECT_EQ(Call("PATCH", "/api/v1/vms/" + name, R"({"labels":{"a":"b"}})").status, 200);
  EXPECT_EQ(Call("PATCH", "/api/v1/vms/nope", R"({"vcpus":2})").status, 404);
}

TEST_F(VmRoutesTest, ActionsFollowTheStateMachine) {
  const std::string name = Name("web1");
  const std::string vm = "/api/v1/vms/" + name;
  ASSERT_EQ(Create(name).status, 201);
  http::ClientResponse start = Call("POST", vm + "/start");
  ASSERT_EQ(start.status, 202) << start.body;
  EXPECT_EQ(Body(start)["state"], "starting");
  EXPECT_EQ(start.Header("ETag"), "\"2\"");
  AwaitState(name, "running");

  http::ClientResponse again = Call("POST", vm + "/start");
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(Detail(again).find("it is running"), std::string::npos) << again.body;

  http::ClientResponse reboot = Call("POST", vm + "/reboot");
  EXPECT_EQ(reboot.status, 202) << reboot.body;
  EXPECT_EQ(Body(reboot)["state"], "running");

  http::ClientResponse stale = Call("POST", vm + "/shutdown", "", {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(Body(Call("GET", vm))["state"], "running");
  http::ClientResponse shutdown = Call("POST", vm + "/shutdown");
  ASSERT_EQ(shutdown.status, 202) << shutdown.body;
  EXPECT_EQ(Body(shutdown)["state"], "stopping");
  AwaitState(name, "stopped");

  http::ClientResponse stop_stopped = Call("POST", vm + "/stop");
  EXPECT_EQ(stop_stopped.status, 409);
  EXPECT_NE(Detail(stop_stopped).find("it is stopped"), std::string::npos) << stop_stopped.body;
  http::ClientResponse reboot_stopped = Call("POST", vm + "/reboot");
  EXPECT_EQ(reboot_stopped.status, 409);
  EXPECT_NE(Detail(reboot_stopped).find("only a running vm"), std::string::npos)
      << reboot_stopped.body;

  // Hard stop from running.
  ASSERT_EQ(Call("POST", vm + "/start").status, 202);
  AwaitState(name, "running");
  http::ClientResponse stop = Call("POST", vm + "/stop");
  ASSERT_EQ(stop.status, 202) << stop.body;
  EXPECT_EQ(Body(stop)["state"], "stopping");
  AwaitState(name, "stopped");

  EXPECT_EQ(Call("POST", "/api/v1/vms/nope/stop").status, 404);
  EXPECT_EQ(Call("POST", vm + "/start", R"({"x":1})").status, 422);
  EXPECT_EQ(Call("POST", vm + "/start?now=1").status, 400);
  EXPECT_EQ(Call("GET", vm + "/start").status, 405);
  EXPECT_EQ(Body(Call("GET", vm))["state"], "stopped");  // the refused calls changed nothing
}

TEST_F(VmRoutesTest, DeleteRunningNeedsForce) {
  const std::string name = Name("web1");
  const std::string vm = "/api/v1/vms/" + name;
  ASSERT_EQ(Create(name, "?start=true").status, 201);
  std::string etag =
      "\"" + std::to_string(AwaitState(name, "running")["version"].get<int>()) + "\"";
  http::ClientResponse refused = Call("DELETE", vm);
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(Detail(refused).find("stop it first"), std::string::npos) << refused.body;
  EXPECT_EQ(Call("DELETE", vm + "?force=true", "", {{"If-Match", "\"1\""}}).status, 412);
  EXPECT_EQ(Body(Call("GET", vm))["state"], "running");

  http::ClientResponse deleted = Call("DELETE", vm + "?force=true", "", {{"If-Match", etag}});
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(Call("GET", vm).status, 404);
  EXPECT_EQ(Call("DELETE", vm).status, 404);
  // The name is free again.
  EXPECT_EQ(Create(name).status, 201);
}

TEST_F(VmRoutesTest, IdempotencyKeyReplaysTheFirstAnswer) {
  const std::string name = Name("web1");
  std::string spec = json{{"name", name}, {"memory_mib", 64}}.dump();
  http::Headers key{{"Idempotency-Key", "create-web1-1"}};
  http::ClientResponse first = Call("POST", "/api/v1/vms", spec, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(first.headers.Has("Idempotent-Replayed"));
  http::ClientResponse again = Call("POST", "/api/v1/vms", spec, key);
  EXPECT_EQ(again.status, 201) << again.body;  // not 409: the VM is not created twice
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Body(again)["id"], Body(first)["id"]);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.Header("Location"), first.Header("Location"));
  EXPECT_EQ(again.Header("ETag"), first.Header("ETag"));

  http::ClientResponse other =
      Call("POST", "/api/v1/vms", json{{"name", Name("web2")}, {"memory_mib", 64}}.dump(), key);
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(Body(other)["field"], "Idempotency-Key");
  http::ClientResponse other_path = Call("POST", "/api/v1/vms?start=true", spec, key);
  EXPECT_EQ(other_path.status, 422);
  EXPECT_EQ(Call("GET", "/api/v1/vms/" + Name("web2")).status, 404);
  json all = Body(Call("GET", "/api/v1/vms"));
  ASSERT_EQ(all["items"].size(), 1u) << all;
  EXPECT_EQ(all["items"][0]["state"], "defined");
}

TEST_F(VmRoutesTest, IdempotencyKeyOnActions) {
  const std::string name = Name("web1");
  ASSERT_EQ(Create(name).status, 201);
  http::Headers key{{"Idempotency-Key", "start-1"}};
  http::ClientResponse first = Call("POST", "/api/v1/vms/" + name + "/start", "", key);
  ASSERT_EQ(first.status, 202) << first.body;
  AwaitState(name, "running");
  http::ClientResponse again = Call("POST", "/api/v1/vms/" + name + "/start", "", key);
  EXPECT_EQ(again.status, 202) << again.body;  // not 409: the start is not repeated
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.body, first.body);
  // Without the key the same start is refused: it is running.
  EXPECT_EQ(Call("POST", "/api/v1/vms/" + name + "/start").status, 409);
}

TEST_F(VmRoutesTest, NodeShowsCapacityAndCounts) {
  ASSERT_EQ(Create(Name("idle")).status, 201);
  ASSERT_EQ(Call("POST", "/api/v1/vms",
                 json{{"name", Name("busy")}, {"vcpus", 2}, {"memory_mib", 128}}.dump())
                .status,
            201);
  ASSERT_EQ(Call("POST", "/api/v1/vms/" + Name("busy") + "/start").status, 202);
  AwaitState(Name("busy"), "running");

  http::ClientResponse r = Call("GET", "/api/v1/node");
  ASSERT_EQ(r.status, 200) << r.body;
  json node = Body(r);
  EXPECT_EQ(node["hypervisor_uri"], "test:///default");
  int cpus = node["cpus"];
  uint64_t memory_mib = node["memory_mib"];
  ASSERT_GT(cpus, 0);
  ASSERT_GT(memory_mib, 0u);
  EXPECT_EQ(node["capacity"]["vcpus_allocated"], 3);
  EXPECT_EQ(node["capacity"]["memory_mib_allocated"], 192);
  EXPECT_EQ(node["capacity"]["vcpus_limit"], cpus * 4);         // default cpu_overcommit 4
  EXPECT_EQ(node["capacity"]["memory_mib_limit"], memory_mib);  // no memory overcommit
  EXPECT_EQ(node["vms"]["defined"], 1);
  EXPECT_EQ(node["vms"]["running"], 1);
  EXPECT_EQ(node["vms"]["stopped"], 0);

  ASSERT_EQ(Call("DELETE", "/api/v1/vms/" + Name("idle")).status, 204);
  json after = Body(Call("GET", "/api/v1/node"));
  EXPECT_EQ(after["vms"]["defined"], 0);
  EXPECT_EQ(after["capacity"]["vcpus_allocated"], 2);
}

}  // namespace
}  // namespace novacron::api
