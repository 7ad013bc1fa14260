// novacron vm placement: where a VM is and where placement would put it now, node by node
// (GET /api/v1/vms/{id}/placement; cluster mode only).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cmd_cluster_render.h"
#include "cli/cmd_vm.h"
#include "cli/cmd_vm_errors.h"

namespace novacron::cli {

namespace {

const char* const kPlacementExitCodesHelp =
    "Exit codes: 0 ok (also when no node can take the VM now), 1 the daemon refused the request, "
    "2 usage, 4 no daemon answered, 5 VM not found, 6 conflict (a standalone daemon: placement "
    "needs cluster.mode etcd).";

}  // namespace

void AddVmPlacementCommand(CLI::App& vm, int& exit_code) {
  struct Options {
    ApiCommandOptions common;
    std::string vm;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = vm.add_subcommand(
      "placement",
      "Explain a VM's placement (cluster.mode etcd): the node it is on, the node placement would "
      "choose for it now (strategy cluster.placement: spread or pack), and every member with its "
      "score, or the filter that rejects it (state, node_selector, anti_affinity, capacity) and "
      "why. It only explains: nothing is moved. A standalone daemon answers 409 (exit 6).");
  AddApiCommandOptions(*cmd, opts->common);
  cmd->add_option("vm", opts->vm, "VM name or id")->required()->type_name("NAME|ID");
  cmd->footer(std::string("Examples:\n"
                          "  novacron vm placement web1\n"
                          "  novacron vm placement web1 -o json | jq -r .best\n"
                          "  novacron vm placement web1 -o json | jq -r '.nodes[] | "
                          "select(.feasible | not) | \"\\(.node_id): \\(.reason)\"'\n") +
              kPlacementExitCodesHelp);
  cmd->callback([opts, &exit_code] {
    auto client = ConnectToDaemon(opts->common);
    if (!client.ok()) {
      exit_code = ReportFailure("vm placement", client.status());
      return;
    }
    auto response = Expect2xx(client->Get(VmPath(opts->vm, "/placement")));
    if (!response.ok()) {
      exit_code = ReportFailure("vm placement", response.status());
      return;
    }
    if (opts->common.json()) {
      PrintJson(response->body);
    } else {
      std::cout << RenderVmPlacement(response->body);
    }
    exit_code = kExitOk;
  });
}

}  // namespace novacron::cli
