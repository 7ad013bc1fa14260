// The VM and node routes over HTTP; Idempotency-Key records go to the real SQLite store in a
// temp dir.
// TODO(lead): switch to the real manager (vm::NewVmManager on that store and the libvirt driver
// on test:///default) once it is in novacron_vm; the FakeVmManager stands in until then.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_test_server.h"
#include "api/fake_vm_manager_for_test.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::api {
namespace {

using nlohmann::json;
using testing::ApiServer;
using testing::Body;

std::unique_ptr<store::StateStore> OpenStore(const std::filesystem::path& dir) {
  auto opened = store::OpenSqliteStateStore({.data_dir = dir});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

class VmRoutesTest : public ::testing::Test {
 protected:
  ApiV1Deps Deps() {
    return {.manager = &manager_,
            .idempotency = state_ ? &state_->vms() : nullptr,
            .log = observe::Logger::Discard(),
            .authenticate = {}};
  }

  http::ClientResponse Create(const std::string& name, const std::string& query = "") {
    return server_.Call("POST", "/api/v1/vms" + query,
                        json{{"name", name}, {"vcpus", 1}, {"memory_mib", 64}}.dump());
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::StateStore> state_ = OpenStore(dir_.path());
  testing::FakeVmManager manager_;
  ApiServer server_{Deps()};
};

TEST_F(VmRoutesTest, CreateAnswers201WithLocationAndEtag) {
  http::ClientResponse r = Create("web1");
  ASSERT_EQ(r.status, 201) << r.body;
  json vm = Body(r);
  EXPECT_EQ(vm["name"], "web1");
  EXPECT_EQ(vm["state"], "defined");
  EXPECT_EQ(vm["version"], 1);
  EXPECT_EQ(vm["spec"]["memory_mib"], 64);
  EXPECT_EQ(r.Header("Location"), "/api/v1/vms/" + vm["id"].get<std::string>());
  EXPECT_EQ(r.Header("ETag"), "\"1\"");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
}

TEST_F(VmRoutesTest, CreateWithStartIsStarting) {
  http::ClientResponse r = Create("web1", "?start=true");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["state"], "starting");
  EXPECT_EQ(Create("web2", "?start=maybe").status, 400);
  EXPECT_EQ(Create("web3", "?begin=true").status, 400);
}

TEST_F(VmRoutesTest, NameTakenAndCapacityAre409) {
  ASSERT_EQ(Create("web1").status, 201);
  http::ClientResponse taken = Create("web1");
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.Header("Content-Type"), "application/problem+json");
  http::ClientResponse big =
      server_.Call("POST", "/api/v1/vms", R"({"name":"big","vcpus":64,"memory_mib":64})");
  EXPECT_EQ(big.status, 409);
  EXPECT_EQ(Body(big)["title"], "Insufficient capacity");
}

// Hostile or wrong input is refused before the manager is called.
class RejectedCreateTest : public VmRoutesTest {
 protected:
  void TearDown() override { EXPECT_EQ(manager_.mutating_calls.load(), 0); }
};

TEST_F(RejectedCreateTest, UnknownFieldsAndWrongTypesAre422WithErrors) {
  http::ClientResponse r = server_.Call(
      "POST", "/api/v1/vms", R"({"name":"web1","vcpus":"two","memory_mb":64,"disks":{}})");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
  json body = Body(r);
  std::set<std::string> fields;
  for (const json& e : body["errors"]) fields.insert(e["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"vcpus", "memory_mb", "disks"}));
  EXPECT_TRUE(fields.contains(body["field"].get<std::string>()));
}

TEST_F(RejectedCreateTest, PathTricksInImagesAre422NamingTheField) {
  for (std::string image : {std::string("/images/../etc/passwd"), std::string("images/base.qcow2"),
                            std::string("/images/a\u0001b"), std::string("/images/./x")}) {
    json spec = {{"name", "web1"}, {"disks", {{{"base_image", image}}}}};
    http::ClientResponse r = server_.Call("POST", "/api/v1/vms", spec.dump());
    ASSERT_EQ(r.status, 422) << image << " " << r.body;
    EXPECT_EQ(Body(r)["field"], "disks[0].base_image") << image;
  }
  // A NUL escaped in JSON.
  http::ClientResponse r = server_.Call(
      "POST", "/api/v1/vms", R"({"name":"web1","kernel":"/boot/vmlinuz\u0000/../../etc"})");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Body(r)["field"], "kernel");
}

TEST_F(RejectedCreateTest, NonJsonContentTypeIs415) {
  http::ClientResponse r =
      server_.Call("POST", "/api/v1/vms", R"({"name":"web1"})", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(Body(r)["field"], "Content-Type");
  EXPECT_EQ(server_
                .Call("POST", "/api/v1/vms", "name=web1",
                      {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            415);
}

TEST_F(RejectedCreateTest, MalformedJsonIs400AndNonObject422) {
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms", R"({"name":"web1")").status, 400);
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms", "\xff\xfe").status, 400);
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms", R"(["web1"])").status, 422);
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms", "null").status, 422);
}

TEST_F(RejectedCreateTest, HugeBodyIs413) {
  std::string huge =
      R"({"name":"web1","cmdline":")" + std::string(testing::kTestMaxBodyBytes + 1, 'a') + "\"}";
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms", huge).status, 413);
}

TEST_F(RejectedCreateTest, DeepNestingIsRefusedNotCrashed) {
  std::string deep =
      R"({"name":"web1","labels":)" + std::string(20000, '[') + std::string(20000, ']') + "}";
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms", deep).status, 422);
}

TEST_F(RejectedCreateTest, BadIdempotencyKeyIs422) {
  for (std::string key : {std::string(256, 'k'), std::string("caf\xc3\xa9")}) {
    http::ClientResponse r =
        server_.Call("POST", "/api/v1/vms", R"({"name":"web1"})", {{"Idempotency-Key", key}});
    EXPECT_EQ(r.status, 422) << key;
    EXPECT_EQ(Body(r)["field"], "Idempotency-Key");
  }
}

TEST_F(VmRoutesTest, IdempotencyKeyReplaysTheFirstAnswer) {
  std::string spec = R"({"name":"web1","memory_mib":64})";
  http::Headers key{{"Idempotency-Key", "create-web1-1"}};
  http::ClientResponse first = server_.Call("POST", "/api/v1/vms", spec, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(first.headers.Has("Idempotent-Replayed"));
  http::ClientResponse again = server_.Call("POST", "/api/v1/vms", spec, key);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.Header("Location"), first.Header("Location"));
  EXPECT_EQ(again.Header("ETag"), first.Header("ETag"));
  EXPECT_EQ(manager_.mutating_calls.load(), 1);

  http::ClientResponse other =
      server_.Call("POST", "/api/v1/vms", R"({"name":"web2","memory_mib":64})", key);
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(Body(other)["field"], "Idempotency-Key");
  http::ClientResponse other_path = server_.Call("POST", "/api/v1/vms?start=true", spec, key);
  EXPECT_EQ(other_path.status, 422);
  EXPECT_EQ(manager_.mutating_calls.load(), 1);
}

TEST_F(VmRoutesTest, IdempotencyKeyOnActions) {
  ASSERT_EQ(Create("web1").status, 201);
  http::Headers key{{"Idempotency-Key", "start-1"}};
  http::ClientResponse first = server_.Call("POST", "/api/v1/vms/web1/start", "", key);
  ASSERT_EQ(first.status, 202) << first.body;
  http::ClientResponse again = server_.Call("POST", "/api/v1/vms/web1/start", "", key);
  EXPECT_EQ(again.status, 202);  // not 409: the start is not repeated
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.body, first.body);
}

TEST_F(VmRoutesTest, GetByIdOrNameAnd404) {
  json created = Body(Create("web1"));
  http::ClientResponse by_name = server_.Call("GET", "/api/v1/vms/web1");
  ASSERT_EQ(by_name.status, 200);
  EXPECT_EQ(Body(by_name)["id"], created["id"]);
  EXPECT_EQ(by_name.Header("ETag"), "\"1\"");
  http::ClientResponse by_id =
      server_.Call("GET", "/api/v1/vms/" + created["id"].get<std::string>());
  EXPECT_EQ(by_id.status, 200);
  http::ClientResponse missing = server_.Call("GET", "/api/v1/vms/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(server_.Call("GET", "/api/v1/vms/" + std::string(300, 'a')).status, 404);
  EXPECT_EQ(server_.Call("GET", "/api/v1/vms/%2e%2e").status, 400);  // router: dot segment
}

TEST_F(VmRoutesTest, ListPagesFiltersAndRefusesBadQueries) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Create("vm" + std::to_string(i)).status, 201);
  manager_.SetState("vm3", vm::VmState::kRunning);
  ASSERT_EQ(server_.Call("PATCH", "/api/v1/vms/vm1", R"({"labels":{"tier":"web"}})").status, 200);

  std::vector<std::string> names;
  std::string cursor;
  int pages = 0;
  do {
    std::string target = "/api/v1/vms?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor);
    http::ClientResponse r = server_.Call("GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    json page = Body(r);
    for (const json& vm : page["items"]) names.push_back(vm["name"]);
    cursor = page["next_cursor"];
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(names, (std::vector<std::string>{"vm0", "vm1", "vm2", "vm3", "vm4"}));
  EXPECT_EQ(pages, 3);

  json running = Body(server_.Call("GET", "/api/v1/vms?state=running"));
  ASSERT_EQ(running["items"].size(), 1u);
  EXPECT_EQ(running["items"][0]["name"], "vm3");
  json web = Body(server_.Call("GET", "/api/v1/vms?label_selector=tier%3Dweb"));
  ASSERT_EQ(web["items"].size(), 1u);
  EXPECT_EQ(web["items"][0]["name"], "vm1");

  EXPECT_EQ(Body(server_.Call("GET", "/api/v1/vms?limit=0"))["field"], "limit");
  EXPECT_EQ(Body(server_.Call("GET", "/api/v1/vms?state=asleep"))["field"], "state");
  EXPECT_EQ(Body(server_.Call("GET", "/api/v1/vms?label_selector=x"))["field"], "label_selector");
  http::ClientResponse bad_cursor = server_.Call("GET", "/api/v1/vms?cursor=zzz");
  EXPECT_EQ(bad_cursor.status, 400);
  EXPECT_EQ(Body(bad_cursor)["field"], "cursor");
}

TEST_F(VmRoutesTest, PatchMergesLabelsAndChecksIfMatch) {
  ASSERT_EQ(Create("web1").status, 201);
  http::ClientResponse r =
      server_.Call("PATCH", "/api/v1/vms/web1", R"({"labels":{"tier":"web","env":"prod"}})",
                   {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("ETag"), "\"2\"");
  r = server_.Call("PATCH", "/api/v1/vms/web1", R"({"labels":{"env":null},"vcpus":2})",
                   {{"If-Match", "\"2\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["spec"]["labels"], (json{{"tier", "web"}}));
  EXPECT_EQ(Body(r)["spec"]["vcpus"], 2);

  http::ClientResponse stale =
      server_.Call("PATCH", "/api/v1/vms/web1", R"({"vcpus":3})", {{"If-Match", "\"2\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(Body(stale)["field"], "If-Match");
  EXPECT_EQ(server_.Call("PATCH", "/api/v1/vms/web1", R"({"vcpus":3})", {{"If-Match", "2"}}).status,
            400);

  r = server_.Call("PATCH", "/api/v1/vms/web1", R"({"labels":null})");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(Body(r)["spec"].contains("labels"));
}

TEST_F(VmRoutesTest, PatchRefusesOtherFieldsAndBadValues) {
  ASSERT_EQ(Create("web1").status, 201);
  int before = manager_.mutating_calls.load();
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c :
       {Case{R"({"name":"web2"})", "name"}, Case{R"({"vcpus":"2"})", "vcpus"},
        Case{R"({"vcpus":0})", "vcpus"}, Case{R"({"vcpus":null})", "vcpus"},
        Case{R"({"memory_mib":-5})", "memory_mib"}, Case{R"({"memory_mib":1})", "memory_mib"},
        Case{R"({"labels":[]})", "labels"}, Case{R"({"labels":{"a":1}})", "labels.a"},
        Case{R"({"labels":{"-bad-":"x"}})", ""}}) {
    http::ClientResponse r = server_.Call("PATCH", "/api/v1/vms/web1", c.body);
    ASSERT_EQ(r.status, 422) << c.body << " " << r.body;
    std::string field = Body(r)["field"];
    if (*c.field != '\0') {
      EXPECT_EQ(field, c.field) << c.body;
    } else {
      EXPECT_TRUE(field.starts_with("labels")) << field;
    }
  }
  EXPECT_EQ(manager_.mutating_calls.load(), before);
  EXPECT_EQ(server_.Call("PATCH", "/api/v1/vms/web1", "{}", {{"Content-Type", "text/json"}}).status,
            415);
}

TEST_F(VmRoutesTest, PatchResizeWhileRunningIs409) {
  ASSERT_EQ(Create("web1").status, 201);
  manager_.SetState("web1", vm::VmState::kRunning);
  EXPECT_EQ(server_.Call("PATCH", "/api/v1/vms/web1", R"({"vcpus":2})").status, 409);
  EXPECT_EQ(server_.Call("PATCH", "/api/v1/vms/nope", R"({"vcpus":2})").status, 404);
}

TEST_F(VmRoutesTest, ActionsFollowTheStateMachine) {
  ASSERT_EQ(Create("web1").status, 201);
  http::ClientResponse start = server_.Call("POST", "/api/v1/vms/web1/start");
  ASSERT_EQ(start.status, 202) << start.body;
  EXPECT_EQ(Body(start)["state"], "starting");
  EXPECT_EQ(start.Header("ETag"), "\"2\"");
  manager_.SetState("web1", vm::VmState::kRunning);

  http::ClientResponse again = server_.Call("POST", "/api/v1/vms/web1/start");
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(Body(again)["detail"].get<std::string>().find("it is running"), std::string::npos)
      << again.body;

  EXPECT_EQ(server_.Call("POST", "/api/v1/vms/web1/reboot").status, 202);
  http::ClientResponse stale =
      server_.Call("POST", "/api/v1/vms/web1/shutdown", "", {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  http::ClientResponse shutdown = server_.Call("POST", "/api/v1/vms/web1/shutdown");
  ASSERT_EQ(shutdown.status, 202);
  EXPECT_EQ(Body(shutdown)["state"], "stopping");
  manager_.SetState("web1", vm::VmState::kStopped);
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms/web1/stop").status, 409);
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms/nope/stop").status, 404);
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms/web1/start", R"({"x":1})").status, 422);
  EXPECT_EQ(server_.Call("POST", "/api/v1/vms/web1/start?now=1").status, 400);
  EXPECT_EQ(server_.Call("GET", "/api/v1/vms/web1/start").status, 405);
}

TEST_F(VmRoutesTest, DeleteRunningNeedsForce) {
  ASSERT_EQ(Create("web1").status, 201);
  manager_.SetState("web1", vm::VmState::kRunning);  // version 2
  EXPECT_EQ(server_.Call("DELETE", "/api/v1/vms/web1").status, 409);
  EXPECT_EQ(
      server_.Call("DELETE", "/api/v1/vms/web1?force=true", "", {{"If-Match", "\"1\""}}).status,
      412);
  http::ClientResponse deleted =
      server_.Call("DELETE", "/api/v1/vms/web1?force=true", "", {{"If-Match", "\"2\""}});
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(server_.Call("GET", "/api/v1/vms/web1").status, 404);
  EXPECT_EQ(server_.Call("DELETE", "/api/v1/vms/web1").status, 404);
}

TEST_F(VmRoutesTest, NodeShowsCapacityAndCounts) {
  ASSERT_EQ(Create("web1").status, 201);
  http::ClientResponse r = server_.Call("GET", "/api/v1/node");
  ASSERT_EQ(r.status, 200);
  json node = Body(r);
  EXPECT_EQ(node["hypervisor_uri"], "test:///default");
  EXPECT_EQ(node["capacity"]["vcpus_allocated"], 1);
  EXPECT_EQ(node["capacity"]["vcpus_limit"], 16);
  EXPECT_EQ(node["vms"]["defined"], 1);
  EXPECT_EQ(node["vms"]["running"], 0);
}

TEST(ApiAuthenticationTest, HookRefusesBeforeTheHandler) {
  testing::FakeVmManager manager;
  ApiV1Deps deps{.manager = &manager,
                 .idempotency = nullptr,
                 .log = observe::Logger::Discard(),
                 .authenticate = [](const http::Request& request) -> std::optional<http::Response> {
                   if (request.Header("Authorization") == "Bearer ok") return std::nullopt;
                   return http::Response::Problem(401, "Unauthorized", "no token");
                 }};
  ApiServer server(deps);
  EXPECT_EQ(server.Call("POST", "/api/v1/vms", R"({"name":"web1"})").status, 401);
  EXPECT_EQ(manager.mutating_calls.load(), 0);
  EXPECT_EQ(server.Call("GET", "/api/v1/node").status, 401);
  EXPECT_EQ(server.Call("GET", "/api/v1/openapi.json").status, 200);
  EXPECT_EQ(
      server.Call("POST", "/api/v1/vms", R"({"name":"web1"})", {{"Authorization", "Bearer ok"}})
          .status,
      201);
}

}  // namespace
}  // namespace novacron::api
