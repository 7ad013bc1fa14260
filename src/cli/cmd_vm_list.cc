// novacron vm list / vm show.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cmd_vm.h"
#include "cli/cmd_vm_errors.h"
#include "cli/cmd_vm_list_query.h"
#include "cli/cmd_vm_render.h"

namespace novacron::cli {

namespace {

void AddListCommand(CLI::App& vm, int& exit_code) {
  struct Options {
    ApiCommandOptions common;
    VmListQuery query;
    bool all = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = vm.add_subcommand(
      "list",
      "List VMs: name, short id, state (with drift between the store and the hypervisor), "
      "node (cluster mode), vCPUs, memory, age and labels. Shows the first page (--limit, "
      "default 100) unless --all.");
  cmd->alias("ls");
  AddApiCommandOptions(*cmd, opts->common);
  cmd->add_option("--state", opts->query.state,
                  "Only VMs in this state: defined, starting, running, stopping, stopped, failed "
                  "or deleting")
      ->type_name("STATE");
  cmd->add_option("-l,--selector", opts->query.label_selector,
                  "Only VMs with all these labels, e.g. app=web,tier=front")
      ->type_name("K=V,...");
  cmd->add_option("--limit", opts->query.limit, "VMs per page, 1..1000 (with --all: per request)")
      ->check(CLI::Range(1, 1000))
      ->type_name("N")
      ->capture_default_str();
  cmd->add_flag("--all", opts->all, "Follow next_cursor and list every matching VM");
  cmd->footer(std::string("Examples:\n"
                          "  novacron vm list\n"
                          "  novacron vm list --state running -l app=web\n"
                          "  novacron vm list --all -o json | jq -r '.items[].name'\n") +
              kVmExitCodesHelp);
  cmd->callback([opts, &exit_code] {
    auto client = ConnectToDaemon(opts->common);
    if (!client.ok()) {
      exit_code = ReportFailure("vm list", client.status());
      return;
    }
    auto page = FetchVms(*client, opts->query, opts->all);
    if (!page.ok()) {
      exit_code = ReportFailure("vm list", page.status());
      return;
    }
    if (opts->common.output == "json") {
      PrintJson({{"items", page->items}, {"next_cursor", page->next_cursor}});
    } else if (page->items.empty()) {
      std::cout << "no vms\n";
    } else {
      std::cout << RenderVmTable(page->items, std::chrono::system_clock::now());
    }
    if (!page->next_cursor.empty() && opts->common.output == "table") {
      std::cerr << "(first " << page->items.size()
                << " vms shown; more exist: use --all, or a larger --limit up to 1000)\n";
    }
    exit_code = kExitOk;
  });
}

void AddShowCommand(CLI::App& vm, int& exit_code) {
  struct Options {
    ApiCommandOptions common;
    std::string vm;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = vm.add_subcommand(
      "show",
      "Show one VM: state, drift, node (cluster mode), last error, version, timestamps and its "
      "whole spec (ha and node_selector when set).");
  cmd->alias("get");
  AddApiCommandOptions(*cmd, opts->common);
  cmd->add_option("vm", opts->vm, "VM name or id")->required()->type_name("NAME|ID");
  cmd->footer(std::string("Examples:\n"
                          "  novacron vm show web1\n"
                          "  novacron vm show web1 -o json | jq .spec\n") +
              kVmExitCodesHelp);
  cmd->callback([opts, &exit_code] {
    auto client = ConnectToDaemon(opts->common);
    if (!client.ok()) {
      exit_code = ReportFailure("vm show", client.status());
      return;
    }
    auto response = Expect2xx(client->Get(VmPath(opts->vm)));
    if (!response.ok()) {
      exit_code = ReportFailure("vm show", response.status());
      return;
    }
    if (opts->common.output == "json") {
      PrintJson(response->body);
    } else {
      std::cout << RenderVmDetails(response->body, std::chrono::system_clock::now());
    }
    exit_code = kExitOk;
  });
}

}  // namespace

void AddVmListCommands(CLI::App& vm, int& exit_code) {
  AddListCommand(vm, exit_code);
  AddShowCommand(vm, exit_code);
}

}  // namespace novacron::cli
