// novacron cluster status, novacron node list | show | cordon | uncordon: clients of the daemon's
// cluster routes (docs/cli-cluster.md), with the flags, output and exit codes of `novacron vm`.
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <memory>

#include "cli/api_command.h"
#include "cli/cmd_cluster_render.h"
#include "cli/cmd_vm_errors.h"
#include "cli/commands.h"

namespace novacron::cli {

namespace {

const char* const kNodeExitCodesHelp =
    "Exit codes: 0 ok, 1 the daemon refused the request (e.g. 403: cordon needs role admin), "
    "2 usage, 4 no daemon answered, 5 node not found, 6 conflict (cordon on a standalone "
    "daemon).";

const char* const kClusterExitCodesHelp =
    "Exit codes: 0 this node has joined and the cluster has a leader, 1 it has not joined or "
    "there is no leader (the status is printed either way) or the daemon refused the request, "
    "2 usage, 4 no daemon answered.";

// The 2xx body of GET `target`, or why there is none.
Result<nlohmann::json> GetJson(const ApiCommandOptions& options, const std::string& target) {
  NOVACRON_ASSIGN_OR_RETURN(ApiClient client, ConnectToDaemon(options));
  NOVACRON_ASSIGN_OR_RETURN(ApiResponse response, Expect2xx(client.Get(target)));
  return std::move(response.body);
}

// The options of the commands about one node.
struct NodeOptions {
  ApiCommandOptions common;
  std::string node;
};

void AddNodeOptions(CLI::App& cmd, NodeOptions& options) {
  AddApiCommandOptions(cmd, options.common);
  cmd.add_option("node", options.node, "Node id (system.node_id of its daemon)")
      ->required()
      ->type_name("ID");
}

// Runs `run` as the callback of `cmd`: its exit code on success, else the failure on stderr and
// its exit code.
void OnRun(CLI::App& cmd, std::string name, std::function<Result<int>()> run, int& exit_code) {
  cmd.callback([name = std::move(name), run = std::move(run), &exit_code] {
    Result<int> code = run();
    exit_code = code.ok() ? *code : ReportFailure(name, code.status());
  });
}

void AddClusterStatusCommand(CLI::App& cluster, int& exit_code) {
  auto opts = std::make_shared<ApiCommandOptions>();
  CLI::App* cmd = cluster.add_subcommand(
      "status",
      "Show the cluster as this daemon sees it: the mode (standalone or etcd), this node "
      "(joined, leader), the leader and its term, leader changes seen, the members by state "
      "(ready, cordoned, lost), and in etcd mode the revision, when the view was refreshed, the "
      "last error and each etcd endpoint's health. Exit 1 when this node has not joined or "
      "there is no leader.");
  AddApiCommandOptions(*cmd, *opts);
  cmd->footer(std::string("Examples:\n"
                          "  novacron cluster status\n"
                          "  novacron cluster status -o json | jq .leader.node_id\n"
                          "  until novacron cluster status >/dev/null; do sleep 1; done\n") +
              kClusterExitCodesHelp);
  OnRun(
      *cmd, "cluster status",
      [opts]() -> Result<int> {
        NOVACRON_ASSIGN_OR_RETURN(nlohmann::json cluster, GetJson(*opts, "/api/v1/cluster"));
        if (opts->json()) {
          PrintJson(cluster);
        } else {
          std::cout << RenderClusterStatus(cluster, std::chrono::system_clock::now());
        }
        return ClusterHealthy(cluster) ? kExitOk : kExitFailed;
      },
      exit_code);
}

void AddNodeListCommand(CLI::App& node, int& exit_code) {
  auto opts = std::make_shared<ApiCommandOptions>();
  CLI::App* cmd = node.add_subcommand(
      "list",
      "List the cluster's nodes: state (ready, cordoned, lost), the leader (*), vCPUs and "
      "memory allocated/capacity, API address, version, time since the node last published its "
      "record (every 30 s while it is up) and labels.");
  cmd->alias("ls");
  AddApiCommandOptions(*cmd, *opts);
  cmd->footer(std::string("Examples:\n"
                          "  novacron node list\n"
                          "  novacron node list -o json | jq -r '.items[] | select(.state == "
                          "\"ready\") | .node_id'\n") +
              kNodeExitCodesHelp);
  OnRun(
      *cmd, "node list",
      [opts]() -> Result<int> {
        NOVACRON_ASSIGN_OR_RETURN(nlohmann::json nodes, GetJson(*opts, "/api/v1/nodes"));
        nlohmann::json items = nodes.is_object() ? nodes.value("items", nlohmann::json::array())
                                                 : nlohmann::json::array();
        if (opts->json()) {
          PrintJson(nodes);
        } else if (items.empty()) {
          std::cout << "no nodes\n";
        } else {
          std::cout << RenderNodeTable(items, std::chrono::system_clock::now());
        }
        return kExitOk;
      },
      exit_code);
}

void AddNodeShowCommand(CLI::App& node, int& exit_code) {
  auto opts = std::make_shared<NodeOptions>();
  CLI::App* cmd = node.add_subcommand(
      "show",
      "Show one node: state, leader, API and DWCP addresses, version, network mode, vCPUs and "
      "memory allocated of capacity, shared storage, labels and when it last published its "
      "record.");
  cmd->alias("get");
  AddNodeOptions(*cmd, *opts);
  cmd->footer(std::string("Examples:\n"
                          "  novacron node show node-b\n"
                          "  novacron node show node-b -o json | jq .allocated\n") +
              kNodeExitCodesHelp);
  OnRun(
      *cmd, "node show",
      [opts]() -> Result<int> {
        NOVACRON_ASSIGN_OR_RETURN(nlohmann::json node, GetJson(opts->common, NodePath(opts->node)));
        if (opts->common.json()) {
          PrintJson(node);
        } else {
          std::cout << RenderNodeDetails(node, std::chrono::system_clock::now());
        }
        return kExitOk;
      },
      exit_code);
}

struct CordonAction {
  const char* name;  // the subcommand and the last path segment
  const char* done;  // "cordoned"
  const char* help;
};

constexpr CordonAction kCordonActions[] = {
    {"cordon", "cordoned",
     "Cordon a node: placement puts no new VMs on it; the VMs already there keep running. The "
     "mark is kept in etcd until `node uncordon`, across restarts of the node. Needs cluster.mode "
     "etcd (a standalone daemon answers 409: exit 6) and, with authentication on, role admin."},
    {"uncordon", "uncordoned",
     "Uncordon a node: placement may put VMs on it again. Needs cluster.mode etcd (a standalone "
     "daemon answers 409: exit 6) and, with authentication on, role admin."},
};

void AddCordonCommand(CLI::App& node, const CordonAction& action, int& exit_code) {
  auto opts = std::make_shared<NodeOptions>();
  CLI::App* cmd = node.add_subcommand(action.name, action.help);
  AddNodeOptions(*cmd, *opts);
  cmd->footer(std::string("Prints \"node ID ") + action.done +
              "\" (-o json: the node as the daemon answered). Doing it twice is not an error.\n"
              "Example:\n  novacron node " +
              action.name + " node-b\n" + kNodeExitCodesHelp);
  const CordonAction* a = &action;
  OnRun(
      *cmd, std::string("node ") + action.name,
      [opts, a]() -> Result<int> {
        NOVACRON_ASSIGN_OR_RETURN(ApiClient client, ConnectToDaemon(opts->common));
        NOVACRON_ASSIGN_OR_RETURN(
            ApiResponse response,
            Expect2xx(client.Post(NodePath(opts->node, std::string("/") + a->name), nullptr)));
        if (opts->common.json()) {
          PrintJson(response.body);
        } else {
          std::cout << "node " << opts->node << " " << a->done << "\n";
        }
        return kExitOk;
      },
      exit_code);
}

}  // namespace

void AddClusterCommand(CLI::App& app, int& exit_code) {
  CLI::App* cluster = AddApiCommandGroup(
      app, "cluster",
      "The cluster a running daemon belongs to (cluster.mode standalone or etcd), through its "
      "REST API: status. The nodes themselves: `novacron node`.",
      "  novacron cluster status\n"
      "  novacron cluster status --server 10.0.0.5:8080 -o json\n",
      kClusterExitCodesHelp, "docs/cli-cluster.md");
  AddClusterStatusCommand(*cluster, exit_code);
}

void AddNodeCommand(CLI::App& app, int& exit_code) {
  CLI::App* node = AddApiCommandGroup(
      app, "node",
      "The cluster's nodes, through any daemon's REST API (each answers for the whole cluster; "
      "a standalone daemon for itself): list, show, cordon, uncordon.",
      "  novacron node list\n"
      "  novacron node show node-b\n"
      "  novacron node cordon node-b\n"
      "  novacron node uncordon node-b\n",
      kNodeExitCodesHelp, "docs/cli-cluster.md");
  AddNodeListCommand(*node, exit_code);
  AddNodeShowCommand(*node, exit_code);
  for (const CordonAction& action : kCordonActions) AddCordonCommand(*node, action, exit_code);
}

}  // namespace novacron::cli
