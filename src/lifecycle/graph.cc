#include "lifecycle/graph.h"

#include <algorithm>
#include <cctype>
#include <queue>
#include <set>
#include <sstream>

namespace novacron::lifecycle {
namespace {

// Walks from `start` along dependencies that are still unresolved after Kahn's algorithm (every
// such node has one) until a node repeats, and returns the cycle "a -> b -> a".
std::string DescribeCycle(const std::vector<ComponentSpec>& specs,
                          const std::vector<std::vector<std::size_t>>& deps,
                          const std::vector<int>& unresolved, std::size_t start) {
  std::vector<std::size_t> walk;
  std::vector<int> seen_at(specs.size(), -1);
  std::size_t at = start;
  while (seen_at[at] < 0) {
    seen_at[at] = static_cast<int>(walk.size());
    walk.push_back(at);
    for (std::size_t d : deps[at]) {
      if (unresolved[d] > 0) {
        at = d;
        break;
      }
    }
  }
  std::string out = "dependency cycle: ";
  for (std::size_t k = static_cast<std::size_t>(seen_at[at]); k < walk.size(); ++k) {
    out += specs[walk[k]].name + " -> ";
  }
  return out + specs[at].name;
}

// Appends `s` to `out` with '"' and '\\' escaped for a DOT string.
void AppendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  AppendEscaped(out, s);
  out += '"';
  return out;
}

}  // namespace

Result<Graph> Graph::Build(std::vector<ComponentSpec> specs) {
  Graph g;
  g.specs_ = std::move(specs);
  const std::size_t n = g.specs_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& name = g.specs_[i].name;
    if (name.empty()) return InvalidArgument("component #" + std::to_string(i) + " has no name");
    if (!g.index_.emplace(name, i).second) {
      return InvalidArgument("duplicate component '" + name + "'");
    }
  }
  g.deps_.resize(n);
  g.dependents_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const ComponentSpec& s = g.specs_[i];
    std::set<std::size_t> seen;
    for (const std::string& dep : s.dependencies) {
      auto it = g.index_.find(dep);
      if (it == g.index_.end()) {
        return InvalidArgument("component '" + s.name + "' depends on unknown '" + dep + "'");
      }
      if (it->second == i) {
        return InvalidArgument("dependency cycle: " + s.name + " -> " + s.name);
      }
      if (!seen.insert(it->second).second) continue;  // listed twice: one edge
      g.deps_[i].push_back(it->second);
      g.dependents_[it->second].push_back(i);
    }
  }

  // Kahn, smallest declaration index first among the ready ones.
  std::vector<int> unresolved(n);
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < n; ++i) {
    unresolved[i] = static_cast<int>(g.deps_[i].size());
    if (unresolved[i] == 0) ready.push(i);
  }
  g.level_.assign(n, 0);
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    g.order_.push_back(i);
    for (std::size_t d : g.dependents_[i]) {
      g.level_[d] = std::max(g.level_[d], g.level_[i] + 1);
      if (--unresolved[d] == 0) ready.push(d);
    }
  }
  if (g.order_.size() != n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (unresolved[i] > 0)
        return InvalidArgument(DescribeCycle(g.specs_, g.deps_, unresolved, i));
    }
  }
  g.position_.resize(n);
  for (std::size_t k = 0; k < n; ++k) g.position_[g.order_[k]] = k;
  return g;
}

std::optional<std::size_t> Graph::IndexOf(std::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::vector<std::string>> Graph::Levels() const {
  std::vector<std::vector<std::string>> levels;
  for (std::size_t i : order_) {
    const auto level = static_cast<std::size_t>(level_[i]);
    if (levels.size() <= level) levels.resize(level + 1);
    levels[level].push_back(specs_[i].name);
  }
  return levels;
}

Result<std::vector<std::string>> Graph::Dependents(std::string_view name) const {
  auto start = IndexOf(name);
  if (!start) return NotFound("unknown component '" + std::string(name) + "'");
  std::vector<bool> hit(size(), false);
  std::vector<std::size_t> stack = {*start};
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    for (std::size_t d : dependents_[i]) {
      if (!hit[d]) {
        hit[d] = true;
        stack.push_back(d);
      }
    }
  }
  std::vector<std::string> out;
  for (std::size_t i : order_) {
    if (hit[i]) out.push_back(specs_[i].name);
  }
  return out;
}

Result<Graph::Path> Graph::CriticalPath(
    const std::map<std::string, Duration, std::less<>>& durations) const {
  std::vector<Duration> own(size(), Duration::zero());
  for (const auto& [name, d] : durations) {
    auto i = IndexOf(name);
    if (!i) return InvalidArgument("critical path: unknown component '" + name + "'");
    own[*i] = d;
  }
  // finish[i]: the earliest i can end if everything starts the moment its dependencies are done.
  std::vector<Duration> finish(size(), Duration::zero());
  std::vector<std::optional<std::size_t>> via(size());
  for (std::size_t i : order_) {
    Duration ready{};
    for (std::size_t d : deps_[i]) {
      if (!via[i] || finish[d] > ready) {
        ready = finish[d];
        via[i] = d;
      }
    }
    finish[i] = ready + own[i];
  }
  Path path;
  if (size() == 0) return path;
  std::size_t last = order_[0];
  for (std::size_t i : order_) {
    if (finish[i] > finish[last]) last = i;
  }
  path.length = finish[last];
  for (std::optional<std::size_t> at = last; at; at = via[*at]) {
    path.components.push_back(specs_[*at].name);
  }
  std::reverse(path.components.begin(), path.components.end());
  return path;
}

std::string Graph::ToDot() const {
  std::ostringstream out;
  out << "digraph novacron {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  for (std::size_t i : order_) {
    const ComponentSpec& s = specs_[i];
    // "\n" is Graphviz's line break, so the name is escaped on its own.
    std::string label = "\"";
    AppendEscaped(label, s.name);
    label += "\\n";
    label += CriticalityName(s.criticality);
    label += ", ";
    label += PhaseName(s.phase);
    if (s.lazy) label += ", lazy";
    label += '"';
    const char* shape = "shape=box, style=bold";
    if (s.criticality == Criticality::kDegraded) shape = "shape=box, style=dashed";
    if (s.criticality == Criticality::kOptional) shape = "shape=ellipse, style=dotted";
    out << "  " << Quoted(s.name) << " [label=" << label << ", " << shape << "];\n";
  }
  for (std::size_t i : order_) {
    for (std::size_t d : deps_[i]) {
      out << "  " << Quoted(specs_[d].name) << " -> " << Quoted(specs_[i].name) << ";\n";
    }
  }
  out << "}\n";
  return out.str();
}

std::string Graph::ToMermaid() const {
  // Mermaid ids must be plain words: the name with other characters replaced by '_', made unique.
  std::vector<std::string> ids(size());
  std::set<std::string> taken;
  for (std::size_t i = 0; i < size(); ++i) {
    std::string id;
    for (char c : specs_[i].name) {
      id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
    std::string unique = id;
    for (int k = 2; !taken.insert(unique).second; ++k) unique = id + "_" + std::to_string(k);
    ids[i] = unique;
  }
  std::ostringstream out;
  out << "flowchart LR\n";
  for (std::size_t i : order_) {
    const ComponentSpec& s = specs_[i];
    std::string label = s.name + "<br/>" + std::string(CriticalityName(s.criticality)) + ", " +
                        std::string(PhaseName(s.phase)) + (s.lazy ? ", lazy" : "");
    for (char& c : label) {
      if (c == '"') c = '\'';
    }
    out << "  " << ids[i] << "[\"" << label << "\"]:::" << CriticalityName(s.criticality) << "\n";
  }
  for (std::size_t i : order_) {
    for (std::size_t d : deps_[i]) out << "  " << ids[d] << " --> " << ids[i] << "\n";
  }
  out << "  classDef critical stroke-width:3px;\n"
         "  classDef degraded stroke-dasharray:5 5;\n"
         "  classDef optional stroke-dasharray:2 2,fill:#eee;\n";
  return out.str();
}

}  // namespace novacron::lifecycle
