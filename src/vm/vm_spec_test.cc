#include "vm/vm_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace novacron::vm {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;

json FullSpec() {
  return json::parse(R"({
    "name": "web-1.prod_a",
    "vcpus": 4,
    "memory_mib": 2048,
    "disks": [{"base_image": "/var/lib/novacron/images/debian-12.qcow2", "target": "vdb"},
              {"size_mib": 10240}],
    "network": {"type": "bridge", "source": "br0"},
    "kernel": "/boot/vmlinuz", "initrd": "/boot/initrd.img",
    "cmdline": "console=ttyS0 root=/dev/vda1",
    "serial_log": true,
    "labels": {"app": "web", "novacron.io/tier": "front-end", "empty": ""},
    "ha": true,
    "node_selector": {"zone": "east", "novacron.io/storage": "ceph"}
  })");
}

std::vector<FieldError> ErrorsOf(const json& doc) {
  std::vector<FieldError> errors;
  Result<VmSpec> spec = ParseVmSpec(doc, &errors);
  EXPECT_FALSE(spec.ok());
  if (!spec.ok()) {
    EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidArgument);
  }
  return errors;
}

}  // namespace

void PrintTo(const FieldError& e, std::ostream* os) { *os << e.field << ": " << e.message; }

namespace {

auto HasField(const std::string& field) { return Contains(Field(&FieldError::field, field)); }

TEST(VmSpecTest, ParsesEveryField) {
  std::vector<FieldError> errors;
  Result<VmSpec> spec = ParseVmSpec(FullSpec(), &errors);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(spec->name, "web-1.prod_a");
  EXPECT_EQ(spec->vcpus, 4);
  EXPECT_EQ(spec->memory_mib, 2048u);
  ASSERT_EQ(spec->disks.size(), 2u);
  EXPECT_EQ(spec->disks[0].base_image, "/var/lib/novacron/images/debian-12.qcow2");
  EXPECT_EQ(spec->disks[0].target, "vdb");
  EXPECT_FALSE(spec->disks[0].size_mib.has_value());
  EXPECT_EQ(spec->disks[1].size_mib, 10240u);
  EXPECT_EQ(spec->network.type, NetworkType::kBridge);
  EXPECT_EQ(spec->network.source, "br0");
  EXPECT_EQ(spec->kernel, "/boot/vmlinuz");
  EXPECT_EQ(spec->initrd, "/boot/initrd.img");
  EXPECT_EQ(spec->cmdline, "console=ttyS0 root=/dev/vda1");
  EXPECT_TRUE(spec->serial_log);
  EXPECT_EQ(spec->labels.at("novacron.io/tier"), "front-end");
  EXPECT_EQ(spec->labels.at("empty"), "");
  EXPECT_TRUE(spec->ha);
  EXPECT_EQ(spec->node_selector, (std::map<std::string, std::string>{
                                     {"zone", "east"}, {"novacron.io/storage", "ceph"}}));
}

TEST(VmSpecTest, ToJsonRoundTrips) {
  Result<VmSpec> spec = ParseVmSpec(FullSpec());
  ASSERT_TRUE(spec.ok());
  Result<VmSpec> again = ParseVmSpecJson(ToJson(*spec).dump());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *spec);
}

TEST(VmSpecTest, ClusterFieldsRoundTrip) {
  VmSpec spec;
  spec.name = "db-1";
  spec.ha = true;
  spec.node_selector = {{"zone", "west"}, {"rack", ""}};
  json doc = ToJson(spec);
  EXPECT_EQ(doc["ha"], true);
  EXPECT_EQ(doc["node_selector"], json({{"zone", "west"}, {"rack", ""}}));
  Result<VmSpec> again = ParseVmSpec(doc);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, spec);
}

// Canonical JSON omits them at their defaults, so specs stored before they existed are unchanged.
TEST(VmSpecTest, ClusterFieldsAreOmittedAtTheirDefaults) {
  Result<VmSpec> spec =
      ParseVmSpec({{"name", "a"}, {"ha", false}, {"node_selector", json::object()}});
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_FALSE(spec->ha);
  EXPECT_TRUE(spec->node_selector.empty());
  json doc = ToJson(*spec);
  EXPECT_FALSE(doc.contains("ha"));
  EXPECT_FALSE(doc.contains("node_selector"));
  EXPECT_EQ(ToJson(*ParseVmSpecJson(R"({"name": "a"})")), doc);
}

TEST(VmSpecTest, HaIsABoolean) {
  for (const json& bad : {json("true"), json(1), json(nullptr), json::object()}) {
    SCOPED_TRACE(bad.dump());
    std::vector<FieldError> errors = ErrorsOf({{"name", "a"}, {"ha", bad}});
    EXPECT_EQ(errors, (std::vector<FieldError>{{"ha", "must be a boolean"}}));
  }
}

// node_selector names node labels, so it follows the label rules and limits.
TEST(VmSpecTest, NodeSelectorRules) {
  auto selector = [](json s) { return json{{"name", "a"}, {"node_selector", std::move(s)}}; };
  EXPECT_TRUE(ParseVmSpec(selector({{"a.b/c_d-e", "V.1"}, {"k", ""}})).ok());
  EXPECT_THAT(ErrorsOf(selector({{"-bad", "v"}})), HasField("node_selector.-bad"));
  EXPECT_THAT(ErrorsOf(selector({{"Upper.Case/k", "v"}})), HasField("node_selector.Upper.Case/k"));
  EXPECT_THAT(ErrorsOf(selector({{"zone", "bad value"}})), HasField("node_selector.zone"));
  EXPECT_THAT(ErrorsOf(selector({{"zone", std::string(64, 'v')}})), HasField("node_selector.zone"));
  std::vector<FieldError> errors = ErrorsOf(selector({{"zone", 1}}));
  EXPECT_EQ(errors, (std::vector<FieldError>{{"node_selector.zone", "must be a string"}}));
  EXPECT_THAT(ErrorsOf(selector(json::array())), HasField("node_selector"));
  EXPECT_THAT(ErrorsOf(selector("zone=east")), HasField("node_selector"));
  json many = json::object();
  for (int i = 0; i <= 64; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_THAT(ErrorsOf(selector(many)), HasField("node_selector"));
  // Its errors are its own: a bad labels entry of the same key is reported separately.
  errors = ErrorsOf({{"name", "a"},
                     {"labels", {{"zone", "bad value"}}},
                     {"node_selector", {{"zone", "bad value"}}}});
  EXPECT_THAT(errors, HasField("labels.zone"));
  EXPECT_THAT(errors, HasField("node_selector.zone"));
}

TEST(VmSpecTest, DefaultsForAMinimalSpec) {
  Result<VmSpec> spec = ParseVmSpecJson(R"({"name": "a"})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->vcpus, 1);
  EXPECT_EQ(spec->memory_mib, 512u);
  EXPECT_EQ(spec->network.type, NetworkType::kNone);
  EXPECT_TRUE(spec->disks.empty());
  EXPECT_EQ(*ParseVmSpec(ToJson(*spec)), *spec);
}

TEST(VmSpecTest, NameRules) {
  EXPECT_TRUE(IsValidVmName("a"));
  EXPECT_TRUE(IsValidVmName(std::string(63, 'x')));
  EXPECT_TRUE(IsValidVmName("9-a.b_c"));
  EXPECT_FALSE(IsValidVmName(""));
  EXPECT_FALSE(IsValidVmName(std::string(64, 'x')));
  EXPECT_FALSE(IsValidVmName("-a"));
  EXPECT_FALSE(IsValidVmName(".a"));
  EXPECT_FALSE(IsValidVmName("a b"));
  EXPECT_FALSE(IsValidVmName("a'b\"<c>&d"));
  EXPECT_FALSE(IsValidVmName("a\nb"));
  EXPECT_FALSE(IsValidVmName("a/b"));
  EXPECT_FALSE(IsValidVmName(std::string("a\0b", 3)));
  EXPECT_THAT(ErrorsOf({{"name", "../etc"}}), HasField("name"));
}

TEST(VmSpecTest, RangeErrorsNameTheField) {
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"vcpus", 0}}), HasField("vcpus"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"vcpus", 257}}), HasField("vcpus"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"vcpus", -1}}), HasField("vcpus"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"vcpus", 2.5}}), HasField("vcpus"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"vcpus", "2"}}), HasField("vcpus"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"vcpus", true}}), HasField("vcpus"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"vcpus", 1ULL << 40}}), HasField("vcpus"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"memory_mib", 15}}), HasField("memory_mib"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"memory_mib", 4194305}}), HasField("memory_mib"));
  EXPECT_TRUE(ParseVmSpec({{"name", "a"}, {"vcpus", 256}, {"memory_mib", 4194304}}).ok());
  EXPECT_TRUE(ParseVmSpec({{"name", "a"}, {"vcpus", 1}, {"memory_mib", 16}}).ok());
  EXPECT_THAT(ErrorsOf({{"vcpus", 1}}), HasField("name"));
  EXPECT_THAT(ErrorsOf(json::array()), HasField(""));
  std::vector<FieldError> errors;
  EXPECT_FALSE(ParseVmSpecJson("{\"name\":", &errors).ok());
  EXPECT_EQ(errors.size(), 1u);
}

TEST(VmSpecTest, ReportsAllErrorsAtOnce) {
  json doc = FullSpec();
  doc["vcpus"] = 0;
  doc["disks"][1]["base_image"] = "images/../../etc/shadow";
  doc["network"]["type"] = "wifi";
  doc["colour"] = "blue";
  doc["disks"][0]["bus"] = "ide";
  std::vector<FieldError> errors;
  Result<VmSpec> spec = ParseVmSpec(doc, &errors);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(errors, HasField("network.type"));
  EXPECT_THAT(errors, HasField("colour"));
  EXPECT_THAT(errors, HasField("disks[0].bus"));
  EXPECT_NE(spec.status().message().find("colour: unknown field"), std::string::npos);
  // Semantic errors too, once the structure is clean.
  doc.erase("colour");
  doc["disks"][0].erase("bus");
  doc["network"]["type"] = "network";
  errors.clear();
  EXPECT_FALSE(ParseVmSpec(doc, &errors).ok());
  EXPECT_THAT(errors, HasField("vcpus"));
  EXPECT_THAT(errors, HasField("disks[1].base_image"));
}

TEST(VmSpecTest, UnknownFieldsAreRejectedAtEveryLevel) {
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"Name", "b"}}), HasField("Name"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"network", {{"type", "none"}, {"mtu", 9000}}}}),
              HasField("network.mtu"));
  EXPECT_THAT(
      ErrorsOf({{"name", "a"}, {"disks", json::array({{{"size_mib", 1}, {"format", "raw"}}})}}),
      HasField("disks[0].format"));
}

TEST(VmSpecTest, DiskRules) {
  auto with_disks = [](json disks) { return json{{"name", "a"}, {"disks", std::move(disks)}}; };
  EXPECT_THAT(ErrorsOf(with_disks(json::array({json::object()}))), HasField("disks[0].base_image"));
  EXPECT_THAT(ErrorsOf(with_disks(json::array({{{"base_image", "/i.qcow2"}, {"size_mib", 1}}}))),
              HasField("disks[0].base_image"));
  EXPECT_THAT(ErrorsOf(with_disks(json::array({{{"size_mib", 0}}}))),
              HasField("disks[0].size_mib"));
  EXPECT_THAT(ErrorsOf(with_disks(json::array({{{"size_mib", 1}, {"target", "sda"}}}))),
              HasField("disks[0].target"));
  EXPECT_THAT(ErrorsOf(with_disks(
                  {{{"size_mib", 1}, {"target", "vdb"}}, {{"size_mib", 1}, {"target", "vdb"}}})),
              HasField("disks[1].target"));
  EXPECT_THAT(ErrorsOf(with_disks({{{"size_mib", 1}}, "vda"})), HasField("disks[1]"));
  EXPECT_THAT(ErrorsOf(with_disks("vda")), HasField("disks"));
  EXPECT_THAT(ErrorsOf(with_disks(json(std::vector<json>(17, {{"size_mib", 1}})))),
              HasField("disks"));
}

// The daemon chooses where the serial log goes; a spec may only turn it on.
TEST(VmSpecTest, SerialLogIsABooleanAndAPathIsRefused) {
  std::vector<FieldError> errors = ErrorsOf({{"name", "a"}, {"serial_log", "/etc/cron.d/x"}});
  ASSERT_THAT(errors, HasField("serial_log"));
  EXPECT_THAT(errors[0].message, HasSubstr("the daemon chooses the serial log path"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"serial_log", 1}}), HasField("serial_log"));
  Result<VmSpec> off = ParseVmSpec({{"name", "a"}, {"serial_log", false}});
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->serial_log);
  EXPECT_FALSE(ToJson(*off).contains("serial_log"));
}

TEST(VmSpecTest, PathTricksAreRejected) {
  for (const std::string& bad :
       {std::string("relative.qcow2"), std::string("../x.qcow2"), std::string("/a/../etc/shadow"),
        std::string("/a/./b"), std::string("/a/.."), std::string("/images/"), std::string("/a\nb"),
        std::string("/a\tb"), std::string(""), "/" + std::string(4096, 'a')}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(CheckAbsolutePath(bad).empty());
    EXPECT_THAT(ErrorsOf({{"name", "a"}, {"disks", json::array({{{"base_image", bad}}})}}),
                HasField("disks[0].base_image"));
    EXPECT_THAT(ErrorsOf({{"name", "a"}, {"kernel", bad}}), HasField("kernel"));
    EXPECT_THAT(ErrorsOf({{"name", "a"}, {"kernel", "/k"}, {"initrd", bad}}), HasField("initrd"));
  }
  EXPECT_FALSE(CheckAbsolutePath(std::string("/a\0b", 4)).empty());
  EXPECT_FALSE(CheckAbsolutePath("/a\xff").empty());      // not UTF-8
  EXPECT_FALSE(CheckAbsolutePath("/a\xc0\xaf").empty());  // overlong '/'
  EXPECT_TRUE(CheckAbsolutePath("/images/caf\xc3\xa9..v2.qcow2").empty());
  EXPECT_TRUE(CheckAbsolutePath("/a'b\"<c>&d").empty());  // legal on disk; XML escapes it
}

TEST(VmSpecTest, KernelBootRules) {
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"initrd", "/i"}}), HasField("initrd"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"cmdline", "quiet"}}), HasField("cmdline"));
  EXPECT_THAT(ErrorsOf({{"name", "a"}, {"kernel", "/k"}, {"cmdline", "a\nb"}}),
              HasField("cmdline"));
  EXPECT_TRUE(ParseVmSpec({{"name", "a"}, {"kernel", "/k"}}).ok());
}

TEST(VmSpecTest, NetworkRules) {
  auto net = [](json n) { return json{{"name", "a"}, {"network", std::move(n)}}; };
  EXPECT_TRUE(ParseVmSpec(net({{"type", "network"}, {"source", "default"}})).ok());
  EXPECT_TRUE(ParseVmSpec(net({{"type", "none"}})).ok());
  EXPECT_THAT(ErrorsOf(net({{"type", "network"}})), HasField("network.source"));
  EXPECT_THAT(ErrorsOf(net({{"type", "none"}, {"source", "br0"}})), HasField("network.source"));
  EXPECT_THAT(ErrorsOf(net({{"type", "bridge"}, {"source", "br0'/><x"}})),
              HasField("network.source"));
  EXPECT_THAT(ErrorsOf(net({{"type", "bridge"}, {"source", "a-very-long-bridge"}})),
              HasField("network.source"));
  EXPECT_THAT(ErrorsOf(net({{"source", "default"}})), HasField("network.type"));
  EXPECT_THAT(ErrorsOf(net("default")), HasField("network"));
}

TEST(VmSpecTest, LabelRules) {
  auto labels = [](json l) { return json{{"name", "a"}, {"labels", std::move(l)}}; };
  EXPECT_TRUE(ParseVmSpec(labels({{"a.b/c_d-e", "V.1"}, {"k", ""}})).ok());
  EXPECT_THAT(ErrorsOf(labels({{"-bad", "v"}})), HasField("labels.-bad"));
  EXPECT_THAT(ErrorsOf(labels({{"Upper.Case/k", "v"}})), HasField("labels.Upper.Case/k"));
  EXPECT_THAT(ErrorsOf(labels({{"/k", "v"}})), HasField("labels./k"));
  EXPECT_THAT(ErrorsOf(labels({{std::string(64, 'k'), "v"}})),
              HasField("labels." + std::string(64, 'k')));
  EXPECT_THAT(ErrorsOf(labels({{"k", "bad value"}})), HasField("labels.k"));
  EXPECT_THAT(ErrorsOf(labels({{"k", std::string(64, 'v')}})), HasField("labels.k"));
  EXPECT_THAT(ErrorsOf(labels({{"k", 1}})), HasField("labels.k"));
  EXPECT_THAT(ErrorsOf(labels(json::array())), HasField("labels"));
}

}  // namespace
}  // namespace novacron::vm
