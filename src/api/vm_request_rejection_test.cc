// Hostile or wrong input is refused by the routes before the VM manager is asked to change
// anything. The real stack serves; the decorator in front of the manager only counts the calls.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "api/real_vm_stack_for_test.h"

namespace novacron::api {
namespace {

using nlohmann::json;
using testing::Body;

class RejectedCreateTest : public testing::ApiWithFaultsTest {
 protected:
  void TearDown() override {
    EXPECT_EQ(faults_->mutating_calls.load(), 0);
    auto records = stack_.state().vms().ListAll();
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    EXPECT_TRUE(records->empty());
    ApiWithFaultsTest::TearDown();
  }

  http::ClientResponse Post(const std::string& body, http::Headers headers = {}) {
    return Call("POST", "/api/v1/vms", body, std::move(headers));
  }
};

TEST_F(RejectedCreateTest, UnknownFieldsAndWrongTypesAre422WithErrors) {
  http::ClientResponse r = Post(R"({"name":"web1","vcpus":"two","memory_mb":64,"disks":{}})");
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
    http::ClientResponse r = Post(spec.dump());
    ASSERT_EQ(r.status, 422) << image << " " << r.body;
    EXPECT_EQ(Body(r)["field"], "disks[0].base_image") << image;
  }
  // A NUL escaped in JSON.
  http::ClientResponse r = Post(R"({"name":"web1","kernel":"/boot/vmlinuz\u0000/../../etc"})");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Body(r)["field"], "kernel");
}

TEST_F(RejectedCreateTest, NonJsonContentTypeIs415) {
  http::ClientResponse r = Post(R"({"name":"web1"})", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(Body(r)["field"], "Content-Type");
  EXPECT_EQ(Post("name=web1", {{"Content-Type", "application/x-www-form-urlencoded"}}).status, 415);
}

TEST_F(RejectedCreateTest, MalformedJsonIs400AndNonObject422) {
  EXPECT_EQ(Post(R"({"name":"web1")").status, 400);
  EXPECT_EQ(Post("\xff\xfe").status, 400);
  EXPECT_EQ(Post(R"(["web1"])").status, 422);
  EXPECT_EQ(Post("null").status, 422);
}

TEST_F(RejectedCreateTest, HugeBodyIs413) {
  std::string huge =
      R"({"name":"web1","cmdline":")" + std::string(testing::kTestMaxBodyBytes + 1, 'a') + "\"}";
  EXPECT_EQ(Post(huge).status, 413);
}

TEST_F(RejectedCreateTest, DeepNestingIsRefusedNotCrashed) {
  std::string deep =
      R"({"name":"web1","labels":)" + std::string(20000, '[') + std::string(20000, ']') + "}";
  EXPECT_EQ(Post(deep).status, 422);
}

TEST_F(RejectedCreateTest, BadIdempotencyKeyIs422) {
  for (std::string key : {std::string(256, 'k'), std::string("caf\xc3\xa9")}) {
    http::ClientResponse r = Post(R"({"name":"web1"})", {{"Idempotency-Key", key}});
    EXPECT_EQ(r.status, 422) << key;
    EXPECT_EQ(Body(r)["field"], "Idempotency-Key");
  }
}

using RejectedPatchTest = testing::ApiWithFaultsTest;

TEST_F(RejectedPatchTest, OtherFieldsAndBadValuesAre422) {
  const std::string path = "/api/v1/vms/" + Name("web1");
  ASSERT_EQ(Create(Name("web1")).status, 201);
  int before = faults_->mutating_calls.load();
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
    http::ClientResponse r = Call("PATCH", path, c.body);
    ASSERT_EQ(r.status, 422) << c.body << " " << r.body;
    std::string field = Body(r)["field"];
    if (*c.field != '\0') {
      EXPECT_EQ(field, c.field) << c.body;
    } else {
      EXPECT_TRUE(field.starts_with("labels")) << field;
    }
  }
  EXPECT_EQ(faults_->mutating_calls.load(), before);
  EXPECT_EQ(Call("PATCH", path, "{}", {{"Content-Type", "text/json"}}).status, 415);
  http::ClientResponse unchanged = Call("GET", path);
  EXPECT_EQ(unchanged.Header("ETag"), "\"1\"") << unchanged.body;
}

}  // namespace
}  // namespace novacron::api
