// novacron graph: the component dependency graph.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "components/graph.h"
#include "lifecycle/graph.h"

namespace novacron::cli {

void AddGraphCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string format = "dot";
    std::string impact;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "graph",
      "Print the daemon's component dependency graph (arrows in start order: dependency -> "
      "dependent). Render with: novacron graph | dot -Tsvg > graph.svg");
  cmd->add_option("-f,--format", opts->format,
                  "dot (Graphviz, default), mermaid, or levels (the start levels, one per line)")
      ->check(CLI::IsMember({"dot", "mermaid", "levels"}));
  cmd->add_option("--impact", opts->impact,
                  "Instead, list every component that depends on COMPONENT, directly or not")
      ->type_name("COMPONENT");
  cmd->callback([opts, &exit_code] {
    auto graph = lifecycle::Graph::Build(components::DeclaredGraph(config::Config{}));
    if (!graph.ok()) {
      std::cerr << "novacron: " << graph.status().ToString() << "\n";
      exit_code = kExitFailed;
      return;
    }
    exit_code = kExitOk;
    if (!opts->impact.empty()) {
      auto dependents = graph->Dependents(opts->impact);
      if (!dependents.ok()) {
        std::cerr << "novacron: " << dependents.status().ToString() << "\n";
        exit_code = kExitUsage;
        return;
      }
      for (const auto& name : *dependents) std::cout << name << "\n";
      return;
    }
    if (opts->format == "mermaid") {
      std::cout << graph->ToMermaid();
    } else if (opts->format == "levels") {
      int level = 0;
      for (const auto& names : graph->Levels()) {
        std::cout << level++ << ":";
        for (const auto& n : names) std::cout << " " << n;
        std::cout << "\n";
      }
    } else {
      std::cout << graph->ToDot();
    }
  });
}

}  // namespace novacron::cli
