// novacron vm create: a spec from -f or from flags, POST /api/v1/vms, optionally start and wait.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/cmd_vm.h"
#include "cli/cmd_vm_errors.h"
#include "cli/cmd_vm_spec_flags.h"
#include "cli/cmd_vm_wait.h"

namespace novacron::cli {

namespace {

struct CreateOptions {
  ApiCommandOptions common;
  std::string spec_file;
  VmSpecFlags spec;
  bool start = false;
  bool wait = false;
  std::string timeout = "5m";
  std::string idempotency_key;
};

Result<nlohmann::json> LoadSpec(const CreateOptions& opts) {
  if (opts.spec_file.empty()) return SpecFromFlags(opts.spec);
  std::string text;
  if (opts.spec_file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return ParseSpecDocument(text, "stdin");
  }
  std::ifstream in(opts.spec_file, std::ios::binary);
  if (!in) return InvalidArgument("-f " + opts.spec_file + ": cannot read the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return ParseSpecDocument(buffer.str(), opts.spec_file);
}

Status RunCreate(const CreateOptions& opts) {
  NOVACRON_ASSIGN_OR_RETURN(auto timeout, ParseWaitTimeout(opts.timeout));
  NOVACRON_ASSIGN_OR_RETURN(auto spec, LoadSpec(opts));
  NOVACRON_ASSIGN_OR_RETURN(auto client, ConnectToDaemon(opts.common));
  http::Headers headers;
  if (!opts.idempotency_key.empty()) headers.Set("Idempotency-Key", opts.idempotency_key);
  NOVACRON_ASSIGN_OR_RETURN(
      auto response,
      Expect2xx(client.Post(opts.start ? "/api/v1/vms?start=true" : "/api/v1/vms", spec, headers)));
  nlohmann::json vm = std::move(response.body);
  bool table = opts.common.output == "table";
  std::string name = vm.is_object() ? vm.value("name", "") : "";
  if (name.empty() && spec.contains("name") && spec["name"].is_string()) name = spec["name"];
  if (table) {
    std::cout << "created vm " << name << " (id "
              << (vm.is_object() ? vm.value("id", "?") : std::string("?")) << ")";
    if (response.headers.Get("Idempotent-Replayed") == "true") {
      std::cout << " [replayed: an earlier request with this --idempotency-key created it]";
    }
    std::cout << "\n";
  }
  if (opts.start && opts.wait) {
    if (table) std::cout << "waiting for vm " << name << " to be running...\n" << std::flush;
    NOVACRON_ASSIGN_OR_RETURN(vm, WaitForVmState(client, vm, "running", timeout));
    if (table) std::cout << "vm " << name << " is running\n";
  } else if (opts.start && table && vm.is_object()) {
    std::cout << "vm " << name << " is " << vm.value("state", "?") << "\n";
  }
  if (!table) PrintJson(vm);
  return Status::Ok();
}

}  // namespace

void AddVmCreateCommand(CLI::App& vm, int& exit_code) {
  auto opts = std::make_shared<CreateOptions>();
  CLI::App* cmd = vm.add_subcommand(
      "create",
      "Create a VM from a spec file (-f) or from flags (--name ...), optionally start it and "
      "wait until it runs. The daemon validates the spec and reports every bad field.");
  AddApiCommandOptions(*cmd, opts->common);
  CLI::Option* file = cmd->add_option("-f,--file", opts->spec_file,
                                      "VM spec JSON file (the API's spec document); - reads stdin")
                          ->type_name("FILE");
  VmSpecFlags& s = opts->spec;
  std::vector<CLI::Option*> spec_flags = {
      cmd->add_option("--name", s.name,
                      "VM name: 1-63 characters of [A-Za-z0-9._-], starting alphanumeric"),
      cmd->add_option_function<int>(
             "--vcpus", [&s](const int& n) { s.vcpus = n; }, "Virtual CPUs (default 1)")
          ->type_name("N"),
      cmd->add_option("--memory", s.memory,
                      "Memory: 512M, 1G, 2048 (a bare number is MiB; default 512M)")
          ->type_name("SIZE"),
      cmd->add_option("--disk", s.disks,
                      "A disk, repeatable, in order: base=/path/image.qcow2 (a copy-on-write "
                      "overlay) or size=10G (blank); add ,target=vdb to pick the device")
          ->type_name("SPEC"),
      cmd->add_option("--network", s.network,
                      "default (libvirt network), network:NAME, bridge:BRIDGE or none (default)")
          ->type_name("NET"),
      cmd->add_option("--kernel", s.kernel, "Direct kernel boot: absolute kernel path")
          ->type_name("PATH"),
      cmd->add_option("--initrd", s.initrd, "Initrd path (needs --kernel)")->type_name("PATH"),
      cmd->add_option("--cmdline", s.cmdline, "Kernel command line (needs --kernel)")
          ->type_name("ARGS"),
      cmd->add_flag("--serial-log", s.serial_log,
                    "Log the serial console to serial.log in the VM's own directory on the "
                    "host (the daemon chooses the path; default: a pty)"),
      cmd->add_option("--label", s.labels, "A label, repeatable: --label app=web")
          ->type_name("K=V"),
      cmd->add_flag("--ha", s.ha,
                    "Cluster mode: restart the VM on another node when its node is lost (HA "
                    "failover); stored but without effect in standalone mode"),
      cmd->add_option("--node-selector", s.node_selector,
                      "Cluster mode: a node label the VM's node must have, repeatable: "
                      "--node-selector zone=east; stored but without effect in standalone mode")
          ->type_name("K=V"),
  };
  for (CLI::Option* flag : spec_flags) file->excludes(flag);
  CLI::Option* start =
      cmd->add_flag("--start", opts->start, "Start the VM once created (POST ...?start=true)");
  cmd->add_flag("--wait", opts->wait, "With --start: wait until the VM is running")->needs(start);
  cmd->add_option("--timeout", opts->timeout, "How long --wait waits: 30s, 5m, 1m30s")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--idempotency-key", opts->idempotency_key,
                  "Retrying with the same key and spec returns the first result instead of "
                  "creating twice (kept 24 h)")
      ->type_name("KEY");
  cmd->footer(std::string("Examples:\n"
                          "  novacron vm create --name web1 --vcpus 2 --memory 1G \\\n"
                          "      --disk base=/var/lib/images/debian.qcow2 --disk size=20G \\\n"
                          "      --network default --label app=web --start --wait\n"
                          "  novacron vm create -f web1.json --idempotency-key deploy-42\n"
                          "  novacron vm create -f - -o json < web1.json\n") +
              kVmExitCodesHelp);
  cmd->callback([opts, &exit_code] {
    Status status = RunCreate(*opts);
    exit_code = status.ok() ? kExitOk : ReportFailure("vm create", status);
  });
}

}  // namespace novacron::cli
