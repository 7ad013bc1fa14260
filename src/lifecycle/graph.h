// The component dependency graph: validation (duplicates, unknown dependencies, cycles named
// `a -> b -> a`), deterministic topological order, levels, impact analysis, critical path, and
// Graphviz/Mermaid export.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lifecycle/clock.h"
#include "lifecycle/component.h"

namespace novacron::lifecycle {

class Graph {
 public:
  // InvalidArgument for a duplicate or empty name, an unknown dependency ("component 'api'
  // depends on unknown 'orchestrater'"), a self-dependency or a cycle ("dependency cycle:
  // a -> b -> c -> a", where `x -> y` reads "x depends on y").
  static Result<Graph> Build(std::vector<ComponentSpec> specs);

  std::size_t size() const { return specs_.size(); }
  const std::vector<ComponentSpec>& specs() const { return specs_; }
  const ComponentSpec& spec(std::size_t i) const { return specs_[i]; }
  std::optional<std::size_t> IndexOf(std::string_view name) const;
  // Direct edges, as indices in declaration order.
  const std::vector<std::size_t>& DependenciesOf(std::size_t i) const { return deps_[i]; }
  const std::vector<std::size_t>& DependentsOf(std::size_t i) const { return dependents_[i]; }

  // Kahn's order; among components ready at the same time, the one declared first goes first.
  const std::vector<std::size_t>& TopologicalOrder() const { return order_; }
  // Position of component i in TopologicalOrder().
  std::size_t TopologicalPosition(std::size_t i) const { return position_[i]; }
  // Longest-path depth: 0 without dependencies, else 1 + the deepest dependency.
  int Level(std::size_t i) const { return level_[i]; }
  // Component names per level, each level in topological order.
  std::vector<std::vector<std::string>> Levels() const;

  // Everything that depends on `name`, directly or not ("what breaks if X fails"), in
  // topological order. NotFound for an unknown name.
  Result<std::vector<std::string>> Dependents(std::string_view name) const;

  struct Path {
    std::vector<std::string> components;  // from a root to the last to finish
    Duration length{};                    // sum of their durations
  };
  // The chain whose durations add up to the most: the lower bound of any parallel boot.
  // Components missing from `durations` count as zero; unknown names are InvalidArgument.
  Result<Path> CriticalPath(const std::map<std::string, Duration, std::less<>>& durations) const;

  // Graphviz; arrows point in start order (dependency -> dependent). Shape by criticality
  // (critical: bold box, degraded: dashed box, optional: dotted ellipse), phase in the label.
  std::string ToDot() const;
  // Mermaid flowchart, same arrows, one class per criticality.
  std::string ToMermaid() const;

 private:
  Graph() = default;

  std::vector<ComponentSpec> specs_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::vector<std::vector<std::size_t>> deps_;
  std::vector<std::vector<std::size_t>> dependents_;
  std::vector<std::size_t> order_;
  std::vector<std::size_t> position_;
  std::vector<int> level_;
};

}  // namespace novacron::lifecycle
