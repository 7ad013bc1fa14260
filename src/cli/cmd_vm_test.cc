// The pure parts of `novacron vm`: flags -> spec JSON, rendering, problem -> message/exit code.
#include <gtest/gtest.h>

#include "cli/cmd_vm_errors.h"
#include "cli/cmd_vm_list_query.h"
#include "cli/cmd_vm_render.h"
#include "cli/cmd_vm_spec_flags.h"
#include "cli/cmd_vm_wait.h"
#include "daemon/exit_codes.h"

namespace novacron::cli {
namespace {

using nlohmann::json;

TEST(ParseSizeMibTest, UnitsAndBareMiB) {
  EXPECT_EQ(*ParseSizeMib("512"), 512u);
  EXPECT_EQ(*ParseSizeMib("512M"), 512u);
  EXPECT_EQ(*ParseSizeMib("512MiB"), 512u);
  EXPECT_EQ(*ParseSizeMib("1G"), 1024u);
  EXPECT_EQ(*ParseSizeMib("1g"), 1024u);
  EXPECT_EQ(*ParseSizeMib("10GiB"), 10240u);
  EXPECT_EQ(*ParseSizeMib("2T"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseSizeMib("2048K"), 2u);
  EXPECT_EQ(*ParseSizeMib("1048576KB"), 1000u);  // 1.048576e9 bytes = 1000 MiB exactly
}

TEST(ParseSizeMibTest, RejectsBadSizes) {
  for (const char* bad : {"", "G", "-1G", "1.5G", "1 G", "1X", "0", "0G", "1GB", "1000K", "512MB",
                          "99999999999999999999", "18446744073709551615T"}) {
    auto r = ParseSizeMib(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad;
      EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"), std::string::npos)
          << r.status().message();
    }
  }
  EXPECT_NE(ParseSizeMib("1GB").status().message().find("whole number of MiB"), std::string::npos);
}

TEST(ParseDiskFlagTest, BaseOrSize) {
  EXPECT_EQ(*ParseDiskFlag("base=/img/debian.qcow2"), json({{"base_image", "/img/debian.qcow2"}}));
  EXPECT_EQ(*ParseDiskFlag("size=10G"), json({{"size_mib", 10240}}));
  EXPECT_EQ(*ParseDiskFlag("size=20G,target=vdb"), json({{"size_mib", 20480}, {"target", "vdb"}}));
  // A path may contain '='.
  EXPECT_EQ(*ParseDiskFlag("base=/img/a=b.qcow2"), json({{"base_image", "/img/a=b.qcow2"}}));
}

TEST(ParseDiskFlagTest, Rejects) {
  for (const char* bad : {"", "/img.qcow2", "base=", "size=10X", "size=0", "base=/a,size=1G",
                          "target=vda", "base=/a,base=/b", "color=red", "size=1G,"}) {
    auto r = ParseDiskFlag(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().rfind("--disk '", 0), 0u) << r.status().message();
    }
  }
}

TEST(ParseNetworkFlagTest, Forms) {
  EXPECT_EQ(*ParseNetworkFlag("default"), json({{"type", "network"}, {"source", "default"}}));
  EXPECT_EQ(*ParseNetworkFlag("network:lab"), json({{"type", "network"}, {"source", "lab"}}));
  EXPECT_EQ(*ParseNetworkFlag("bridge:br0"), json({{"type", "bridge"}, {"source", "br0"}}));
  EXPECT_EQ(*ParseNetworkFlag("none"), json({{"type", "none"}}));
  EXPECT_FALSE(ParseNetworkFlag("bridge:").ok());
  EXPECT_FALSE(ParseNetworkFlag("macvtap:eth0").ok());
  EXPECT_FALSE(ParseNetworkFlag("").ok());
}

TEST(SpecFromFlagsTest, MapsEveryFlag) {
  VmSpecFlags flags;
  flags.name = "web1";
  flags.vcpus = 2;
  flags.memory = "1G";
  flags.disks = {"base=/img/debian.qcow2", "size=10G,target=vdb"};
  flags.network = "bridge:br0";
  flags.kernel = "/boot/vmlinuz";
  flags.initrd = "/boot/initrd.img";
  flags.cmdline = "console=ttyS0 root=/dev/vda";
  flags.serial_log = true;
  flags.labels = {"app=web", "tier="};
  flags.ha = true;
  flags.node_selector = {"zone=east", "novacron.io/storage=ceph"};
  json expected = {
      {"name", "web1"},
      {"vcpus", 2},
      {"memory_mib", 1024},
      {"disks", json::array({{{"base_image", "/img/debian.qcow2"}},
                             {{"size_mib", 10240}, {"target", "vdb"}}})},
      {"network", {{"type", "bridge"}, {"source", "br0"}}},
      {"kernel", "/boot/vmlinuz"},
      {"initrd", "/boot/initrd.img"},
      {"cmdline", "console=ttyS0 root=/dev/vda"},
      {"serial_log", true},
      {"labels", {{"app", "web"}, {"tier", ""}}},
      {"ha", true},
      {"node_selector", {{"zone", "east"}, {"novacron.io/storage", "ceph"}}},
  };
  auto spec = SpecFromFlags(flags);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(*spec, expected);
}

TEST(SpecFromFlagsTest, OnlyNameLeavesDefaultsToTheDaemon) {
  VmSpecFlags flags;
  flags.name = "tiny";
  EXPECT_EQ(*SpecFromFlags(flags), json({{"name", "tiny"}}));
}

TEST(SpecFromFlagsTest, ErrorsNameTheFlag) {
  VmSpecFlags flags;
  EXPECT_EQ(SpecFromFlags(flags).status().message().rfind("--name", 0), 0u);
  flags.name = "web1";
  flags.memory = "lots";
  auto r = SpecFromFlags(flags);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("--memory: ", 0), 0u) << r.status().message();
  flags.memory = "";
  flags.disks = {"size=big"};
  EXPECT_EQ(SpecFromFlags(flags).status().message().rfind("--disk 'size=big'", 0), 0u);
  flags.disks = {};
  flags.labels = {"novalue"};
  EXPECT_EQ(SpecFromFlags(flags).status().message().rfind("--label 'novalue'", 0), 0u);
  flags.labels = {"=x"};
  EXPECT_FALSE(SpecFromFlags(flags).ok());
  flags.labels = {"a=1", "a=2"};
  EXPECT_NE(SpecFromFlags(flags).status().message().find("given twice"), std::string::npos);
  flags.labels = {};
  flags.node_selector = {"zone"};
  EXPECT_EQ(SpecFromFlags(flags).status().message(), "--node-selector 'zone': expected key=value");
  flags.node_selector = {"=east"};
  EXPECT_FALSE(SpecFromFlags(flags).ok());
  flags.node_selector = {"zone=east", "zone=west"};
  EXPECT_EQ(SpecFromFlags(flags).status().message(),
            "--node-selector 'zone=west': key 'zone' given twice");
}

// Without --ha and --node-selector the spec leaves the daemon's defaults (omitted fields).
TEST(SpecFromFlagsTest, HaAndNodeSelectorAreOmittedUnlessGiven) {
  VmSpecFlags flags;
  flags.name = "web1";
  auto spec = SpecFromFlags(flags);
  ASSERT_TRUE(spec.ok());
  EXPECT_FALSE(spec->contains("ha"));
  EXPECT_FALSE(spec->contains("node_selector"));
  flags.node_selector = {"zone="};
  EXPECT_EQ(*SpecFromFlags(flags), json({{"name", "web1"}, {"node_selector", {{"zone", ""}}}}));
}

TEST(ParseSpecDocumentTest, ObjectOnly) {
  EXPECT_EQ(*ParseSpecDocument(R"({"name": "a", "vcpus": 2})", "a.json"),
            json({{"name", "a"}, {"vcpus", 2}}));
  auto bad = ParseSpecDocument("{\"name\": ", "a.json");
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("a.json: not valid JSON", 0), 0u);
  EXPECT_EQ(ParseSpecDocument("[1]", "stdin").status().message(), "stdin: must be a JSON object");
  EXPECT_FALSE(ParseSpecDocument("", "stdin").ok());
}

ApiResponse Response(int status, json body) {
  ApiResponse r;
  r.status = status;
  r.raw_body = body.is_null() ? "" : body.dump();
  r.body = std::move(body);
  return r;
}

TEST(DescribeErrorResponseTest, ProblemWithField) {
  auto r = Response(422, {{"type", "about:blank"},
                          {"title", "Unprocessable Entity"},
                          {"status", 422},
                          {"detail", "must be at least 1"},
                          {"field", "vcpus"}});
  EXPECT_EQ(DescribeErrorResponse(r), "422 Unprocessable Entity: vcpus: must be at least 1");
}

TEST(DescribeErrorResponseTest, ValidationErrorsListed) {
  auto r = Response(422, {{"title", "Unprocessable Entity"},
                          {"detail", "vm spec: vcpus: must be 1..256; memory_mib: ..."},
                          {"errors",
                           {{{"field", "vcpus"}, {"message", "must be 1..256"}},
                            {{"field", "disks[0].base_image"}, {"message", "must be absolute"}}}}});
  EXPECT_EQ(DescribeErrorResponse(r),
            "422 Unprocessable Entity: vcpus: must be 1..256; disks[0].base_image: must be "
            "absolute");
}

TEST(DescribeErrorResponseTest, DetailOnlyAndCustomTitle) {
  EXPECT_EQ(DescribeErrorResponse(Response(
                409, {{"title", "Conflict"}, {"detail", "cannot start vm 'web1': it is running"}})),
            "409 Conflict: cannot start vm 'web1': it is running");
  EXPECT_EQ(DescribeErrorResponse(Response(
                409, {{"title", "Insufficient capacity"}, {"detail", "needs 4 vcpus, 2 free"}})),
            "409 Insufficient capacity: needs 4 vcpus, 2 free");
  // The field is not repeated when the detail already starts with it.
  EXPECT_EQ(DescribeErrorResponse(Response(
                400, {{"title", "Bad Request"}, {"field", "limit"}, {"detail", "limit: 0"}})),
            "400 Bad Request: limit: 0");
}

TEST(DescribeErrorResponseTest, NotAProblem) {
  ApiResponse html;
  html.status = 502;
  html.raw_body = "<html>bad gateway</html>\nmore";
  EXPECT_EQ(DescribeErrorResponse(html), "502 Bad Gateway: <html>bad gateway</html>");
  EXPECT_EQ(DescribeErrorResponse(Response(404, nullptr)), "404 Not Found");
}

TEST(ExitCodeTest, FromResponses) {
  auto code = [](int status) { return ExitCodeFor(StatusFromResponse(Response(status, {}))); };
  EXPECT_EQ(code(404), kExitNotFound);
  EXPECT_EQ(code(409), kExitConflict);
  EXPECT_EQ(code(412), kExitConflict);
  EXPECT_EQ(code(400), kExitFailed);
  EXPECT_EQ(code(422), kExitFailed);
  EXPECT_EQ(code(500), kExitFailed);
  EXPECT_EQ(code(503), kExitFailed);  // the daemon answered: not "unreachable"
}

TEST(ExitCodeTest, FromLocalStatuses) {
  EXPECT_EQ(ExitCodeFor(Status::Ok()), kExitOk);
  EXPECT_EQ(ExitCodeFor(Unavailable("no daemon")), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor(DeadlineExceeded("waited")), kExitTimedOut);
  EXPECT_EQ(ExitCodeFor(InvalidArgument("--memory")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(Cancelled("not confirmed")), kExitFailed);
  EXPECT_EQ(kExitNotFound, 5);
  EXPECT_EQ(kExitConflict, 6);
  EXPECT_EQ(kExitTimedOut, 7);
}

TEST(Expect2xxTest, PassesSuccessAndMapsFailure) {
  EXPECT_TRUE(Expect2xx(Response(201, {{"id", "x"}})).ok());
  EXPECT_TRUE(Expect2xx(Response(204, nullptr)).ok());
  auto failed = Expect2xx(Response(404, {{"title", "Not Found"}, {"detail", "no vm 'x'"}}));
  EXPECT_EQ(failed.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(failed.status().message(), "404 Not Found: no vm 'x'");
  EXPECT_EQ(Expect2xx(Unavailable("down")).status().code(), ErrorCode::kUnavailable);
}

TEST(RenderTest, StateCellShowsDrift) {
  EXPECT_EQ(StateCell({{"state", "running"}, {"drift", ""}}), "running");
  EXPECT_EQ(StateCell({{"state", "running"}, {"drift", "missing_on_hypervisor"}}),
            "running (drift: missing_on_hypervisor)");
  EXPECT_EQ(StateCell(json::object()), "-");
}

TEST(RenderTest, Rfc3339) {
  using std::chrono::system_clock;
  auto t = ParseRfc3339("2026-11-25T03:40:00.123456Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count(),
            1795578000123456LL);
  EXPECT_EQ(*ParseRfc3339("2026-11-25T04:40:00+01:00"), *ParseRfc3339("2026-11-25T03:40:00Z"));
  for (const char* bad : {"", "2026-11-25", "2026-11-25T03:40:00", "2026-13-01T00:00:00Z",
                          "2026-11-25T03:40:00.Z", "2026-11-25T03:40:00Zjunk", "yesterday"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(RenderTest, Age) {
  auto now = *ParseRfc3339("2026-11-25T12:00:00Z");
  EXPECT_EQ(FormatAge("2026-11-25T11:59:18Z", now), "42s");
  EXPECT_EQ(FormatAge("2026-11-25T11:55:00Z", now), "5m");
  EXPECT_EQ(FormatAge("2026-11-25T09:00:00Z", now), "3h");
  EXPECT_EQ(FormatAge("2026-11-13T12:00:00Z", now), "12d");
  EXPECT_EQ(FormatAge("2026-11-25T12:00:05Z", now), "0s");
  EXPECT_EQ(FormatAge("garbage", now), "-");
}

json SampleVm() {
  return {{"id", "0f3c2a9e-1111-2222-3333-444455556666"},
          {"name", "web1"},
          {"state", "running"},
          {"drift", "missing_on_hypervisor"},
          {"last_error", ""},
          {"version", 3},
          {"created_at", "2026-11-25T11:55:00.5Z"},
          {"updated_at", "2026-11-25T11:56:00Z"},
          {"spec",
           {{"name", "web1"},
            {"vcpus", 2},
            {"memory_mib", 1024},
            {"disks", json::array({{{"base_image", "/img/debian.qcow2"}, {"target", "vda"}},
                                   {{"size_mib", 10240}}})},
            {"network", {{"type", "bridge"}, {"source", "br0"}}},
            {"labels", {{"tier", "front"}, {"app", "web"}}}}}};
}

TEST(RenderTest, Table) {
  auto now = *ParseRfc3339("2026-11-25T12:00:00Z");
  json db = {{"id", "abcdef12-0000"},
             {"name", "db"},
             {"state", "stopped"},
             {"created_at", "2026-11-20T12:00:00Z"},
             {"spec", {{"name", "db"}, {"vcpus", 16}, {"memory_mib", 65536}}}};
  EXPECT_EQ(RenderVmTable({SampleVm(), db}, now),
            "NAME  ID        STATE                                   VCPUS  MEMORY(MiB)  AGE  "
            "LABELS\n"
            "web1  0f3c2a9e  running (drift: missing_on_hypervisor)  2      1024         4m   "
            "app=web,tier=front\n"
            "db    abcdef12  stopped                                 16     65536        5d   "
            "-\n");
}

TEST(RenderTest, Details) {
  auto now = *ParseRfc3339("2026-11-25T12:00:00Z");
  json vm = SampleVm();
  vm["last_error"] = "domain vanished";
  std::string out = RenderVmDetails(vm, now);
  EXPECT_EQ(out,
            "Name:       web1\n"
            "ID:         0f3c2a9e-1111-2222-3333-444455556666\n"
            "State:      running (drift: missing_on_hypervisor)\n"
            "Last error: domain vanished\n"
            "Version:    3\n"
            "Created:    2026-11-25T11:55:00.5Z (4m ago)\n"
            "Updated:    2026-11-25T11:56:00Z\n"
            "VCPUs:      2\n"
            "Memory:     1024 MiB\n"
            "Disks:      vda  overlay on /img/debian.qcow2\n"
            "            (auto)  blank 10240 MiB\n"
            "Network:    bridge br0\n"
            "Boot:       from the first disk\n"
            "Serial log: pty console\n"
            "Labels:     app=web,tier=front\n");
}

// Cluster mode: the owner node after State, ha and node_selector after Labels, each only when
// set (a standalone daemon answers "node": "" and the spec omits the defaults).
TEST(RenderTest, DetailsInClusterMode) {
  auto now = *ParseRfc3339("2026-11-25T12:00:00Z");
  json vm = SampleVm();
  vm["drift"] = "";
  vm["node"] = "node-b";
  vm["spec"]["ha"] = true;
  vm["spec"]["node_selector"] = {{"zone", "east"}, {"novacron.io/storage", "ceph"}};
  EXPECT_EQ(RenderVmDetails(vm, now),
            "Name:          web1\n"
            "ID:            0f3c2a9e-1111-2222-3333-444455556666\n"
            "State:         running\n"
            "Node:          node-b\n"
            "Version:       3\n"
            "Created:       2026-11-25T11:55:00.5Z (4m ago)\n"
            "Updated:       2026-11-25T11:56:00Z\n"
            "VCPUs:         2\n"
            "Memory:        1024 MiB\n"
            "Disks:         vda  overlay on /img/debian.qcow2\n"
            "               (auto)  blank 10240 MiB\n"
            "Network:       bridge br0\n"
            "Boot:          from the first disk\n"
            "Serial log:    pty console\n"
            "Labels:        app=web,tier=front\n"
            "HA:            yes\n"
            "Node selector: novacron.io/storage=ceph,zone=east\n");

  // Empty node, ha false and an empty selector (as a client may send them) add no rows.
  json standalone = SampleVm();
  standalone["node"] = "";
  standalone["spec"]["ha"] = false;
  standalone["spec"]["node_selector"] = json::object();
  EXPECT_EQ(RenderVmDetails(standalone, now), RenderVmDetails(SampleVm(), now));
  std::string out = RenderVmDetails(standalone, now);
  EXPECT_EQ(out.find("Node"), std::string::npos) << out;
  EXPECT_EQ(out.find("HA:"), std::string::npos) << out;
}

// NODE only when some VM has a node, "-" for the VMs without one.
TEST(RenderTest, TableInClusterMode) {
  auto now = *ParseRfc3339("2026-11-25T12:00:00Z");
  json web = SampleVm();
  web["drift"] = "";
  web["node"] = "node-b";
  json db = {{"id", "abcdef12-0000"},
             {"name", "db"},
             {"state", "defined"},
             {"drift", "unplaced"},
             {"node", ""},
             {"created_at", "2026-11-20T12:00:00Z"},
             {"spec", {{"name", "db"}, {"vcpus", 16}, {"memory_mib", 65536}}}};
  EXPECT_EQ(RenderVmTable({web, db}, now),
            "NAME  ID        STATE                      NODE    VCPUS  MEMORY(MiB)  AGE  LABELS\n"
            "web1  0f3c2a9e  running                    node-b  2      1024         4m   "
            "app=web,tier=front\n"
            "db    abcdef12  defined (drift: unplaced)  -       16     65536        5d   -\n");
  web["node"] = "";
  std::string standalone = RenderVmTable({web, db}, now);
  EXPECT_EQ(standalone.substr(0, standalone.find('\n')),
            "NAME  ID        STATE                      VCPUS  MEMORY(MiB)  AGE  LABELS");
}

TEST(ListQueryTest, TargetEncodesFilters) {
  VmListQuery q;
  EXPECT_EQ(VmListTarget(q, ""), "/api/v1/vms?limit=100");
  q.state = "running";
  q.label_selector = "app=web,tier=front";
  q.limit = 5;
  EXPECT_EQ(VmListTarget(q, "c/1+2"),
            "/api/v1/vms?limit=5&state=running&label_selector=app%3Dweb%2Ctier%3Dfront&cursor="
            "c%2F1%2B2");
  EXPECT_EQ(VmPath("web 1", "/start"), "/api/v1/vms/web%201/start");
}

TEST(WaitTest, Classify) {
  EXPECT_EQ(ClassifyState("running", "running"), WaitProgress::kReached);
  EXPECT_EQ(ClassifyState("starting", "running"), WaitProgress::kWaiting);
  EXPECT_EQ(ClassifyState("running", "stopped"), WaitProgress::kWaiting);
  EXPECT_EQ(ClassifyState("failed", "running"), WaitProgress::kFailed);
  EXPECT_EQ(ClassifyState("failed", "stopped"), WaitProgress::kFailed);
}

}  // namespace
}  // namespace novacron::cli
