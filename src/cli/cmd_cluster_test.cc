// `novacron cluster status`, `novacron node list|show|cordon|uncordon` and `novacron vm
// placement`, parsed and run in process against a real HTTP server on loopback answering like the
// daemon's cluster routes: output, requests, error lines and exit codes, and the --help texts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <mutex>
#include <sstream>
#include <vector>

#include "cli/cluster_samples_for_test.h"
#include "cli/cmd_cluster_render.h"
#include "cli/commands.h"
#include "cli/fake_daemon_for_test.h"
#include "servers/server_util.h"

namespace novacron::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

// Parses and runs `novacron ARGS...` with the node, cluster and vm commands as main() does,
// capturing stdout and stderr.
CliResult RunCli(std::vector<std::string> args) {
  CLI::App app("novacron (test)", "novacron");
  app.require_subcommand(1);
  CliResult result;
  AddNodeCommand(app, result.exit_code);
  AddClusterCommand(app, result.exit_code);
  AddVmCommand(app, result.exit_code);
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    result.exit_code = app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

// The daemon's cluster routes, answering from what the test sets; records each request.
class FakeClusterDaemon {
 public:
  json cluster = SampleEtcdCluster();
  json nodes = json::array({SampleNode("node-a", "ready"), SampleNode("node-b", "ready")});
  json placement = SamplePlacement();  // of the VM named "web"
  bool standalone = false;             // cordon and placement answer 409
  bool admin = true;                   // else cordon answers 403

  FakeClusterDaemon() : daemon_(Routes()) { daemon_.Start(); }

  std::string address() const { return daemon_.address(); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Record(const http::Request& request) {
    std::lock_guard lock(mu_);
    requests_.push_back(std::string(request.method) + " " + request.path);
  }

  json* Find(std::string_view id) {
    for (json& node : nodes) {
      if (node["node_id"] == std::string(id)) return &node;
    }
    return nullptr;
  }

  http::Response NotFound(std::string_view id) {
    return http::Response::Problem(404, "Not Found",
                                   "node " + std::string(id) + " is not a member of this cluster");
  }

  http::Router Routes() {
    http::Router router;
    router.Get("/api/v1/cluster", [this](const http::Request& request) {
      Record(request);
      return http::Response::Json(200, cluster.dump());
    });
    router.Get("/api/v1/nodes", [this](const http::Request& request) {
      Record(request);
      return http::Response::Json(200, json{{"items", nodes}}.dump());
    });
    router.Get("/api/v1/nodes/{id}", [this](const http::Request& request) {
      Record(request);
      json* node = Find(request.Param("id"));
      return node ? http::Response::Json(200, node->dump()) : NotFound(request.Param("id"));
    });
    router.Get("/api/v1/vms/{id}/placement", [this](const http::Request& request) {
      Record(request);
      if (standalone) {
        return http::Response::Problem(
            409, "Conflict",
            "placement needs cluster.mode etcd: a standalone node runs every VM itself");
      }
      std::string id(request.Param("id"));
      if (id != placement["vm_name"] && id != placement["vm_id"]) {
        return http::Response::Problem(404, "Not Found", "no vm with id or name '" + id + "'");
      }
      return http::Response::Json(200, placement.dump());
    });
    for (const char* action : {"cordon", "uncordon"}) {
      router.Post(std::string("/api/v1/nodes/{id}/") + action,
                  [this, action](const http::Request& request) {
                    Record(request);
                    if (!admin) return http::Response::Problem(403, "Forbidden", "needs admin");
                    if (standalone) {
                      return http::Response::Problem(
                          409, "Conflict",
                          "cordon needs cluster.mode etcd: a standalone node places every VM on "
                          "itself");
                    }
                    json* node = Find(request.Param("id"));
                    if (node == nullptr) return NotFound(request.Param("id"));
                    (*node)["state"] = std::string(action) == "cordon" ? "cordoned" : "ready";
                    return http::Response::Json(200, node->dump());
                  });
    }
    return router;
  }

  std::mutex mu_;
  std::vector<std::string> requests_;
  FakeDaemon daemon_;  // last: stopped first, before what its handlers use
};

TEST(ClusterStatusCommandTest, TableWithLeaderExitsZero) {
  FakeClusterDaemon daemon;
  CliResult r = RunCli({"cluster", "status", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("Mode:           etcd\n"));
  EXPECT_THAT(r.out, HasSubstr("Leader:         node-a (term 7)\n"));
  EXPECT_THAT(r.out, HasSubstr("Members:        2 ready, 1 cordoned, 0 lost\n"));
  EXPECT_THAT(r.out, HasSubstr("http://10.0.0.3:23790  unreachable"));
  EXPECT_EQ(daemon.requests(), std::vector<std::string>{"GET /api/v1/cluster"});
}

TEST(ClusterStatusCommandTest, JsonIsTheObjectAsReceived) {
  FakeClusterDaemon daemon;
  CliResult r = RunCli({"cluster", "status", "-o", "json", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), SampleEtcdCluster());
}

TEST(ClusterStatusCommandTest, WithoutLeaderExitsOneAndStillPrints) {
  FakeClusterDaemon daemon;
  daemon.cluster["leader"] = nullptr;
  daemon.cluster["is_leader"] = false;
  CliResult table = RunCli({"cluster", "status", "--server", daemon.address()});
  EXPECT_EQ(table.exit_code, 1);
  EXPECT_THAT(table.out, HasSubstr("Leader:         none\n"));
  EXPECT_EQ(table.err, "");
  CliResult js = RunCli({"cluster", "status", "-o", "json", "--server", daemon.address()});
  EXPECT_EQ(js.exit_code, 1);
  EXPECT_TRUE(json::parse(js.out)["leader"].is_null());

  daemon.cluster = SampleEtcdCluster();
  daemon.cluster["joined"] = false;  // a leader elsewhere, but this node is not a member
  EXPECT_EQ(RunCli({"cluster", "status", "--server", daemon.address()}).exit_code, 1);
}

TEST(ClusterStatusCommandTest, Standalone) {
  FakeClusterDaemon daemon;
  daemon.cluster = SampleStandaloneCluster();
  CliResult r = RunCli({"cluster", "status", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Mode:           standalone"));
  EXPECT_THAT(r.out, Not(HasSubstr("ETCD ENDPOINT")));
}

TEST(NodeCommandTest, ListTableAndJson) {
  FakeClusterDaemon daemon;
  daemon.nodes[1]["leader"] = false;
  CliResult r = RunCli({"node", "list", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("NODE    STATE  LEADER  VCPUS  MEMORY(MiB)  API"));
  EXPECT_THAT(r.out,
              HasSubstr("\nnode-a  ready  *       6/16   12288/65536  https://10.0.0.5:8080"));
  EXPECT_THAT(r.out, HasSubstr("\nnode-b  ready          6/16 "));
  EXPECT_THAT(r.out, HasSubstr("rack=r1,zone=a\n"));

  CliResult js = RunCli({"node", "ls", "-o", "json", "--server", daemon.address()});
  EXPECT_EQ(js.exit_code, 0) << js.err;
  EXPECT_EQ(json::parse(js.out), json({{"items", daemon.nodes}}));

  daemon.nodes = json::array();
  EXPECT_EQ(RunCli({"node", "list", "--server", daemon.address()}).out, "no nodes\n");
}

TEST(NodeCommandTest, ShowTableAndJson) {
  FakeClusterDaemon daemon;
  CliResult r = RunCli({"node", "show", "node-b", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Node:           node-b\n"));
  EXPECT_THAT(r.out, HasSubstr("Memory:         12288 MiB of 65536 MiB allocated\n"));
  EXPECT_THAT(r.out, HasSubstr("Updated:        "));

  CliResult js = RunCli({"node", "get", "node-b", "-o", "json", "--server", daemon.address()});
  EXPECT_EQ(js.exit_code, 0) << js.err;
  EXPECT_EQ(json::parse(js.out), SampleNode("node-b", "ready"));
  EXPECT_EQ(daemon.requests(),
            (std::vector<std::string>{"GET /api/v1/nodes/node-b", "GET /api/v1/nodes/node-b"}));
}

TEST(NodeCommandTest, UnknownNodeIsExitFive) {
  FakeClusterDaemon daemon;
  for (const char* command : {"show", "cordon", "uncordon"}) {
    CliResult r = RunCli({"node", command, "node-z", "--server", daemon.address()});
    EXPECT_EQ(r.exit_code, 5) << command;
    EXPECT_EQ(r.err, std::string("novacron: node ") + command +
                         ": 404 Not Found: node node-z is not a member of this cluster\n");
    EXPECT_EQ(r.out, "");
  }
}

TEST(NodeCommandTest, CordonAndUncordon) {
  FakeClusterDaemon daemon;
  CliResult r = RunCli({"node", "cordon", "node-b", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "node node-b cordoned\n");
  EXPECT_EQ(daemon.nodes[1]["state"], "cordoned");

  CliResult js = RunCli({"node", "uncordon", "node-b", "-o", "json", "--server", daemon.address()});
  EXPECT_EQ(js.exit_code, 0) << js.err;
  EXPECT_EQ(json::parse(js.out)["state"], "ready");
  EXPECT_EQ(RunCli({"node", "uncordon", "node-b", "--server", daemon.address()}).out,
            "node node-b uncordoned\n");
  EXPECT_EQ(daemon.requests(), (std::vector<std::string>{"POST /api/v1/nodes/node-b/cordon",
                                                         "POST /api/v1/nodes/node-b/uncordon",
                                                         "POST /api/v1/nodes/node-b/uncordon"}));
}

TEST(NodeCommandTest, CordonOnStandaloneIsConflictAndForbiddenIsOne) {
  FakeClusterDaemon daemon;
  daemon.standalone = true;
  CliResult r = RunCli({"node", "cordon", "node-a", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_EQ(r.err,
            "novacron: node cordon: 409 Conflict: cordon needs cluster.mode etcd: a standalone "
            "node places every VM on itself\n");
  daemon.admin = false;
  r = RunCli({"node", "uncordon", "node-a", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "novacron: node uncordon: 403 Forbidden: needs admin\n");
}

TEST(VmPlacementCommandTest, TableAndJson) {
  FakeClusterDaemon daemon;
  CliResult r = RunCli({"vm", "placement", "web", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, RenderVmPlacement(SamplePlacement()));
  EXPECT_THAT(r.out, HasSubstr("is on node node-a; placement (pack) would choose node-b now\n"));
  EXPECT_THAT(r.out, HasSubstr("\nnode-e  rejected  -      capacity  memory_mib: 2048 of"));

  // -o json: the body as received, the id works like the name.
  CliResult js = RunCli({"vm", "placement", "0f3c2a9e-1111-2222-3333-444455556666", "-o", "json",
                         "--server", daemon.address()});
  EXPECT_EQ(js.exit_code, 0) << js.err;
  EXPECT_EQ(json::parse(js.out), SamplePlacement());
  EXPECT_EQ(
      daemon.requests(),
      (std::vector<std::string>{"GET /api/v1/vms/web/placement",
                                "GET /api/v1/vms/0f3c2a9e-1111-2222-3333-444455556666/placement"}));
}

TEST(VmPlacementCommandTest, NoNodeCanTakeItIsStillExitZero) {
  FakeClusterDaemon daemon;
  daemon.placement["node"] = "";
  daemon.placement["best"] = nullptr;
  daemon.placement["nodes"] = json::array({SamplePlacement()["nodes"][4]});
  CliResult r = RunCli({"vm", "placement", "web", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" is not placed yet; no node can take it now\n"));
  EXPECT_THAT(r.out, HasSubstr("\nnode-e  rejected"));
}

TEST(VmPlacementCommandTest, UnknownVmIsFiveAndStandaloneIsSix) {
  FakeClusterDaemon daemon;
  CliResult missing = RunCli({"vm", "placement", "web9", "--server", daemon.address()});
  EXPECT_EQ(missing.exit_code, 5);
  EXPECT_EQ(missing.err, "novacron: vm placement: 404 Not Found: no vm with id or name 'web9'\n");
  EXPECT_EQ(missing.out, "");

  daemon.standalone = true;
  for (const char* output : {"table", "json"}) {
    CliResult r = RunCli({"vm", "placement", "web", "-o", output, "--server", daemon.address()});
    EXPECT_EQ(r.exit_code, 6) << output;
    EXPECT_EQ(r.err,
              "novacron: vm placement: 409 Conflict: placement needs cluster.mode etcd: a "
              "standalone node runs every VM itself\n");
    EXPECT_EQ(r.out, "") << output;
  }
}

TEST(VmPlacementCommandTest, NameIsOnePathSegment) {
  FakeClusterDaemon daemon;
  CliResult r = RunCli({"vm", "placement", "a b?c", "--server", daemon.address()});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no vm with id or name 'a b?c'"));
}

TEST(VmPlacementCommandTest, HelpAndUsage) {
  CliResult help = RunCli({"vm", "placement", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* text : {"Explain a VM's placement", "nothing is moved", "cluster.mode etcd",
                           "NAME|ID", "--server", "--data-dir", "--token-file", "--cacert",
                           "-o,--output", "Examples:", "novacron vm placement web1",
                           "Exit codes:", "5 VM not found", "6 conflict (a standalone daemon"}) {
    EXPECT_THAT(help.out, HasSubstr(text));
  }
  CliResult vm = RunCli({"vm", "--help"});
  EXPECT_EQ(vm.exit_code, 0);
  EXPECT_THAT(vm.out, HasSubstr("placement"));
  EXPECT_EQ(RunCli({"vm", "placement"}).exit_code, 2);                          // no VM
  EXPECT_EQ(RunCli({"vm", "placement", "web", "-o", "yaml"}).exit_code, 2);     // bad output
  EXPECT_EQ(RunCli({"vm", "placement", "web", "--server", "x"}).exit_code, 2);  // no port
}

TEST(NodeCommandTest, NoDaemonIsExitFour) {
  std::string address = "127.0.0.1:" + std::to_string(novacron::testing::PickFreePort());
  for (std::vector<std::string> args : {std::vector<std::string>{"cluster", "status"},
                                        {"node", "list"},
                                        {"node", "show", "node-a"},
                                        {"node", "cordon", "node-a"},
                                        {"node", "uncordon", "node-a", "-o", "json"},
                                        {"vm", "placement", "web"}}) {
    std::string command = args[0] + " " + args[1];
    args.insert(args.end(), {"--server", address});
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 4) << command;
    EXPECT_THAT(r.err, HasSubstr("novacron: " + command + ": no daemon answered at " + address));
    EXPECT_EQ(r.out, "");
  }
}

TEST(NodeCommandTest, UsageErrorsAreExitTwo) {
  EXPECT_EQ(RunCli({"node", "show"}).exit_code, 2);                        // no ID
  EXPECT_EQ(RunCli({"node", "list", "-o", "yaml"}).exit_code, 2);          // bad output
  EXPECT_EQ(RunCli({"node"}).exit_code, 2);                                // no subcommand
  EXPECT_EQ(RunCli({"cluster", "status", "--server", "x"}).exit_code, 2);  // no port
}

TEST(NodeCommandTest, HelpIsComplete) {
  CliResult node = RunCli({"node", "--help"});
  EXPECT_EQ(node.exit_code, 0);
  for (const char* text : {"list", "show", "cordon", "uncordon", "Exit codes:", "5 node not found",
                           "6 conflict", "docs/cli-cluster.md"}) {
    EXPECT_THAT(node.out, HasSubstr(text));
  }
  for (const char* command : {"list", "show", "cordon", "uncordon"}) {
    CliResult r = RunCli({"node", command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    for (const char* text : {"--server", "--data-dir", "--token-file", "--cacert", "--cert",
                             "--key", "-o,--output", "Exit codes:", "Example"}) {
      EXPECT_THAT(r.out, HasSubstr(text)) << command;
    }
  }
  EXPECT_THAT(RunCli({"node", "cordon", "--help"}).out, HasSubstr("role admin"));
  CliResult status = RunCli({"cluster", "status", "--help"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_THAT(status.out, HasSubstr("0 this node has joined and the cluster has a leader, 1"));
  EXPECT_THAT(RunCli({"cluster", "--help"}).out, HasSubstr("status"));
}

}  // namespace
}  // namespace novacron::cli
