// novacron sim placement: the real placement code (src/cluster/placement.h) on simulated nodes,
// offline: time per decision and nodes used against the lower bound (docs/cluster.md,
// "Placement").
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cluster/placement_sim.h"

namespace novacron::cli {

void AddSimCommand(CLI::App& app, int& exit_code) {
  CLI::App* sim = app.add_subcommand("sim", "Run NovaCron's own code on simulated clusters");
  sim->require_subcommand(1);
  auto opts = std::make_shared<cluster::PlacementSimOptions>();
  auto strategy = std::make_shared<std::string>("pack");
  CLI::App* placement = sim->add_subcommand(
      "placement",
      "Place M simulated VMs of mixed sizes (1-16 vCPUs, 2-8 GiB per vCPU) on N identical nodes "
      "with the daemon's placement code, one at a time, and print the time per decision and "
      "the nodes used against the lower bound ceil(total demand / node capacity), per resource");
  placement->add_option("--nodes", opts->nodes, "Simulated nodes (default 100)")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  placement->add_option("--vms", opts->vms, "VMs to place (default 1000)")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  placement->add_option("--seed", opts->seed, "Seed of the VM sizes; same seed, same placements");
  placement->add_option("--strategy", *strategy, "spread or pack (default pack)")
      ->check(CLI::IsMember({"spread", "pack"}));
  placement
      ->add_option("--node-vcpus", opts->node_capacity.vcpus,
                   "vCPUs of each node, overcommit applied (default 64)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  placement
      ->add_option("--node-memory-mib", opts->node_capacity.memory_mib,
                   "Memory of each node in MiB (default 262144)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  placement->add_flag("--largest-first", opts->largest_first,
                      "Place the biggest VMs first (first-fit-decreasing) instead of in order");
  placement->callback([opts, strategy, &exit_code] {
    Result<cluster::PlacementStrategy> parsed = cluster::ParsePlacementStrategy(*strategy);
    if (!parsed.ok()) {
      std::cerr << "novacron sim placement: " << parsed.status().message() << "\n";
      exit_code = kExitUsage;
      return;
    }
    opts->strategy = *parsed;
    Result<cluster::PlacementSimResult> result = cluster::RunPlacementSim(*opts);
    if (!result.ok()) {
      std::cerr << "novacron sim placement: " << result.status().message() << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::cout << cluster::RenderPlacementSim(*result);
    exit_code = kExitOk;
  });
}

}  // namespace novacron::cli
