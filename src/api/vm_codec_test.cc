#include "api/vm_codec.h"

#include <gtest/gtest.h>

#include <chrono>

namespace novacron::api {
namespace {

using std::chrono::system_clock;
using namespace std::chrono_literals;

TEST(FormatRfc3339Test, UtcWithMicroseconds) {
  EXPECT_EQ(FormatRfc3339(system_clock::time_point{}), "1970-01-01T00:00:00.000000Z");
  // 2026-11-25T03:40:00Z is 1795578000 s after the epoch.
  system_clock::time_point t{std::chrono::seconds(1795578000) + 123456us + 789ns};
  EXPECT_EQ(FormatRfc3339(t), "2026-11-25T03:40:00.123456Z");
}

vm::Vm SampleVm() {
  vm::Vm vm;
  vm.id = "8f7e2b1c-0000-4000-8000-000000000001";
  vm.spec.name = "web1";
  vm.spec.vcpus = 2;
  vm.spec.memory_mib = 1024;
  vm.spec.labels = {{"tier", "web"}};
  vm.state = vm::VmState::kRunning;
  vm.drift = "state_mismatch";
  vm.last_error = "start failed";
  vm.version = 3;
  vm.created_at = system_clock::time_point{std::chrono::seconds(1795578000)};
  vm.updated_at = vm.created_at + 1500ms;
  return vm;
}

TEST(VmToJsonTest, HasEveryContractField) {
  nlohmann::json j = VmToJson(SampleVm());
  EXPECT_EQ(j["id"], "8f7e2b1c-0000-4000-8000-000000000001");
  EXPECT_EQ(j["name"], "web1");
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["drift"], "state_mismatch");
  EXPECT_EQ(j["last_error"], "start failed");
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(j["node"], "");  // standalone: no owner
  EXPECT_EQ(j["created_at"], "2026-11-25T03:40:00.000000Z");
  EXPECT_EQ(j["updated_at"], "2026-11-25T03:40:01.500000Z");
  EXPECT_EQ(j["spec"], vm::ToJson(SampleVm().spec));
  EXPECT_EQ(j["spec"]["labels"]["tier"], "web");
  EXPECT_EQ(j.size(), 10u);
}

TEST(VmResponseTest, SetsEtagAndJson) {
  http::Response r = VmResponse(202, SampleVm());
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.headers.Get("ETag"), "\"3\"");
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body)["name"], "web1");
}

TEST(VmListToJsonTest, ItemsAndCursor) {
  vm::VmList list{.items = {SampleVm(), SampleVm()}, .next_cursor = "abc"};
  nlohmann::json j = VmListToJson(list);
  EXPECT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["next_cursor"], "abc");
  EXPECT_EQ(VmListToJson({})["items"], nlohmann::json::array());
  EXPECT_EQ(VmListToJson({})["next_cursor"], "");
}

TEST(NodeToJsonTest, CapacityAndEveryState) {
  vm::NodeView node;
  node.inventory = {.hostname = "h1", .hypervisor = "QEMU 7.2.0", .cpus = 8, .memory_mib = 16384};
  node.hypervisor_uri = "qemu:///system";
  node.capacity.cpus = 8;
  node.capacity.memory_mib = 16384;
  node.capacity.cpu_overcommit = 4.0;
  node.capacity.memory_overcommit = 1.5;
  node.capacity.vcpus_allocated = 3;
  node.capacity.memory_mib_allocated = 2048;
  node.vms_by_state = {{"running", 2}};
  nlohmann::json j = NodeToJson(node);
  EXPECT_EQ(j["hostname"], "h1");
  EXPECT_EQ(j["hypervisor_uri"], "qemu:///system");
  EXPECT_EQ(j["capacity"]["vcpus_limit"], 32);
  EXPECT_EQ(j["capacity"]["memory_mib_limit"], 24576);
  EXPECT_EQ(j["capacity"]["vcpus_allocated"], 3);
  EXPECT_EQ(j["capacity"]["memory_overcommit"], 1.5);
  EXPECT_EQ(j["vms"]["running"], 2);
  EXPECT_EQ(j["vms"]["stopped"], 0);
  EXPECT_EQ(j["vms"].size(), std::size(vm::kAllVmStates));
}

TEST(ParseIfMatchTest, StrongTagOrStar) {
  EXPECT_EQ(ParseIfMatch("\"3\""), std::optional<std::optional<int64_t>>(3));
  EXPECT_EQ(ParseIfMatch("*"), std::optional<std::optional<int64_t>>(std::in_place));
  for (const char* bad : {"3", "W/\"3\"", "\"\"", "\"0\"", "\"-1\"", "\"3\", \"4\"", "\"3x\"",
                          "\"99999999999999999999\"", ""}) {
    EXPECT_FALSE(ParseIfMatch(bad).has_value()) << bad;
  }
  EXPECT_EQ(EntityTag(42), "\"42\"");
}

TEST(DumpJsonTest, InvalidUtf8DoesNotThrow) {
  nlohmann::json j = {{"x", std::string("a\xff")}};
  EXPECT_EQ(DumpJson(j), "{\"x\":\"a\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace novacron::api
