// Lifecycle engine benchmark: prints
//   1. boot makespan of sequential vs levels vs eager against the critical path, on the full
//      graph and on random DAGs of 100 and 1,000 components whose starts sleep;
//   2. the engine's own overhead: start + stop of 10,000 no-op components.
// Usage: engine_bench [--quick]   (--quick: one repetition, smaller graphs; for smoke tests)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "lifecycle/engine.h"
#include "lifecycle/graph.h"

namespace {

using novacron::Status;
using novacron::lifecycle::BootReport;
using novacron::lifecycle::Clock;
using novacron::lifecycle::Component;
using novacron::lifecycle::ComponentSpec;
using novacron::lifecycle::Criticality;
using novacron::lifecycle::Duration;
using novacron::lifecycle::Engine;
using novacron::lifecycle::EngineOptions;
using novacron::lifecycle::Graph;
using novacron::lifecycle::Phase;
using novacron::lifecycle::StartContext;
using novacron::lifecycle::StopContext;
using novacron::lifecycle::Strategy;
using novacron::lifecycle::StrategyName;
using novacron::lifecycle::ToMillis;
using namespace std::chrono_literals;

using Durations = std::map<std::string, Duration, std::less<>>;

// "c7": built by appending, which GCC 12 -O3 does not misreport (-Wrestrict, GCC bug 105329).
std::string Numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// Its start takes `duration` (a sleep: the thread is busy waiting on I/O, like a real start).
class SleepComponent : public Component {
 public:
  SleepComponent(ComponentSpec spec, Duration duration)
      : Component(std::move(spec)), duration_(duration) {}
  Status Start(StartContext&) override {
    entered_ = Clock::now();
    if (duration_ > Duration::zero()) std::this_thread::sleep_for(duration_);
    left_ = Clock::now();
    return Status::Ok();
  }
  Status Stop(StopContext&) override { return Status::Ok(); }

  // When Start was entered and returned: read after the engine's Start returned.
  Clock::time_point entered() const { return entered_; }
  Clock::time_point left() const { return left_; }
  Duration duration() const { return duration_; }

 private:
  Duration duration_;
  Clock::time_point entered_{};
  Clock::time_point left_{};
};

using Sleepers = std::vector<std::shared_ptr<SleepComponent>>;  // by graph index

struct Scenario {
  std::string name;
  std::vector<ComponentSpec> specs;
  Durations durations;
};

ComponentSpec Spec(std::string name, std::vector<std::string> deps) {
  ComponentSpec s;
  s.name = std::move(name);
  s.dependencies = std::move(deps);
  s.criticality = Criticality::kCritical;
  s.phase = Phase::kServices;
  return s;
}

// The full graph of docs/architecture.md, with the design notes' phase durations scaled to
// milliseconds.
Scenario SpecScenario() {
  Scenario s{"full design graph, 15 components", {}, {}};
  const std::vector<std::tuple<const char*, std::vector<std::string>, int>> table = {
      {"config", {}, 5},
      {"logger", {"config"}, 3},
      {"metrics", {"config", "logger"}, 4},
      {"environment", {"config"}, 20},
      {"resources", {"config"}, 12},
      {"security", {"config"}, 30},
      {"database", {"security"}, 45},
      {"cache", {"security"}, 15},
      {"network", {"security"}, 10},
      {"dwcp", {"security", "network"}, 40},
      {"vm manager", {"security", "database"}, 35},
      {"orchestrator", {"dwcp", "database"}, 25},
      {"api", {"security", "orchestrator"}, 15},
      {"monitoring", {"network"}, 8},
      {"ml engine", {"database", "dwcp"}, 30},
  };
  for (const auto& [name, deps, ms] : table) {
    s.specs.push_back(Spec(name, deps));
    s.durations[name] = std::chrono::milliseconds(ms);
  }
  return s;
}

// n components; each depends on up to 3 earlier ones, more likely recent ones, so the graph has
// depth as well as width.
Scenario RandomScenario(int n, int min_ms, int max_ms, std::uint64_t seed) {
  Scenario s{"random DAG, " + std::to_string(n) + " components, " + std::to_string(min_ms) + "-" +
                 std::to_string(max_ms) + " ms each",
             {},
             {}};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> ms(min_ms, max_ms);
  std::uniform_int_distribution<int> fan_in(0, 3);
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> deps;
    if (i > 0) {
      const int window = std::max(1, std::min(i, n / 10 + 1));
      std::uniform_int_distribution<int> back(1, window);
      for (int k = fan_in(rng); k > 0; --k) {
        std::string dep = Numbered("c", i - back(rng));
        if (std::find(deps.begin(), deps.end(), dep) == deps.end()) deps.push_back(dep);
      }
    }
    const std::string name = Numbered("c", i);
    s.specs.push_back(Spec(name, deps));
    s.durations[name] = std::chrono::milliseconds(ms(rng));
  }
  return s;
}

Duration Median(std::vector<Duration> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::unique_ptr<Engine> MakeEngine(const std::vector<ComponentSpec>& specs,
                                   const Durations* durations, EngineOptions options,
                                   Sleepers* sleepers = nullptr) {
  std::vector<std::shared_ptr<Component>> components;
  components.reserve(specs.size());
  for (const ComponentSpec& s : specs) {
    const Duration d = durations ? durations->at(s.name) : Duration::zero();
    auto c = std::make_shared<SleepComponent>(s, d);
    if (sleepers) sleepers->push_back(c);
    components.push_back(std::move(c));
  }
  auto engine = Engine::Create(std::move(components), options);
  if (!engine.ok()) {
    std::fprintf(stderr, "engine_bench: %s\n", engine.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(engine).value();
}

// Sum over levels of the slowest component of each: what a level barrier costs at best.
Duration LevelsBound(const Graph& g, const Durations& durations) {
  std::vector<Duration> slowest;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const auto level = static_cast<std::size_t>(g.Level(i));
    if (slowest.size() <= level) slowest.resize(level + 1);
    slowest[level] = std::max(slowest[level], durations.at(g.spec(i).name));
  }
  Duration total{};
  for (Duration d : slowest) total += d;
  return total;
}

// Measured by the components themselves: how long each waited, after its last dependency's
// Start returned, for its own Start to be entered (the engine's share of the makespan), and by how
// much the sleeps overran (the machine's share).
struct Latency {
  Duration median{}, p99{}, max{};
  Duration overrun{};  // median
  int peak = 0;        // starts running at once
};

Latency MeasureLatency(const Graph& g, const Sleepers& sleepers) {
  std::vector<Duration> waits;
  std::vector<Duration> overruns;
  std::vector<std::pair<Clock::time_point, int>> edges;  // +1 at an entry, -1 at a return
  for (std::size_t i = 0; i < g.size(); ++i) {
    const SleepComponent& c = *sleepers[i];
    overruns.push_back(c.left() - c.entered() - c.duration());
    edges.emplace_back(c.entered(), 1);
    edges.emplace_back(c.left(), -1);
    if (g.DependenciesOf(i).empty()) continue;
    Clock::time_point ready{};
    for (std::size_t d : g.DependenciesOf(i)) ready = std::max(ready, sleepers[d]->left());
    waits.push_back(c.entered() - ready);
  }
  std::sort(edges.begin(), edges.end());
  Latency l;
  int running = 0;
  for (const auto& e : edges) l.peak = std::max(l.peak, running += e.second);
  std::sort(overruns.begin(), overruns.end());
  l.overrun = overruns[overruns.size() / 2];
  if (waits.empty()) return l;
  std::sort(waits.begin(), waits.end());
  l.median = waits[waits.size() / 2];
  l.p99 = waits[std::min(waits.size() - 1, waits.size() * 99 / 100)];
  l.max = waits.back();
  return l;
}

void RunMakespan(const Scenario& s, int repeats, bool sequential_once) {
  const Graph graph = std::move(Graph::Build(s.specs)).value();
  const auto path = graph.CriticalPath(s.durations).value();
  Duration sum{};
  for (const auto& [name, d] : s.durations) sum += d;
  std::printf("\n%s (depth %zu levels, concurrency unbounded)\n", s.name.c_str(),
              graph.Levels().size());
  std::printf(
      "  critical path %.1f ms over %zu components; sum of all starts %.1f ms; "
      "ideal level-by-level %.1f ms\n",
      ToMillis(path.length), path.components.size(), ToMillis(sum),
      ToMillis(LevelsBound(graph, s.durations)));
  std::printf("  | %-10s | %14s | %15s | %5s |\n", "strategy", "makespan ms", "x critical path",
              "runs");
  std::printf("  |%s|%s|%s|%s|\n", std::string(12, '-').c_str(), std::string(16, '-').c_str(),
              std::string(17, '-').c_str(), std::string(7, '-').c_str());
  Latency eager_latency;
  for (Strategy strategy : {Strategy::kSequential, Strategy::kLevels, Strategy::kEager}) {
    const int runs = strategy == Strategy::kSequential && sequential_once ? 1 : repeats;
    std::vector<Duration> makespans;
    std::vector<std::pair<Duration, Latency>> latencies;
    for (int r = 0; r < runs; ++r) {
      Sleepers sleepers;
      auto engine = MakeEngine(s.specs, &s.durations, {.strategy = strategy}, &sleepers);
      BootReport boot = engine->Start();
      if (!boot.status.ok()) {
        std::fprintf(stderr, "engine_bench: boot failed: %s\n", boot.status.ToString().c_str());
        std::exit(1);
      }
      makespans.push_back(boot.total);
      latencies.emplace_back(boot.total, MeasureLatency(graph, sleepers));
      (void)engine->Stop();
    }
    const Duration m = Median(makespans);
    std::sort(latencies.begin(), latencies.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    if (strategy == Strategy::kEager) eager_latency = latencies[latencies.size() / 2].second;
    std::printf("  | %-10s | %14.1f | %15.3f | %5d |\n",
                std::string(StrategyName(strategy)).c_str(), ToMillis(m),
                ToMillis(m) / ToMillis(path.length), runs);
  }
  std::printf("  | %-10s | %14.1f | %15.3f | %5s |\n", "crit. path", ToMillis(path.length), 1.0,
              "-");
  std::printf(
      "  eager (median run): up to %d starts at once; a start began %.0f us (median), "
      "%.0f us (p99), %.0f us (max) after its last dependency was up; a sleep overran "
      "by %.0f us (median)\n",
      eager_latency.peak, ToMillis(eager_latency.median) * 1000, ToMillis(eager_latency.p99) * 1000,
      ToMillis(eager_latency.max) * 1000, ToMillis(eager_latency.overrun) * 1000);
}

// A chain (every start hands over to the next), a wide graph (all independent) and a random
// sparse DAG, of no-op components.
std::vector<ComponentSpec> OverheadGraph(const std::string& shape, int n) {
  std::vector<ComponentSpec> specs;
  std::mt19937_64 rng(7);
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> deps;
    if (shape == "chain" && i > 0) deps.push_back(Numbered("c", i - 1));
    if (shape == "random sparse DAG" && i > 0) {
      std::uniform_int_distribution<int> pick(std::max(0, i - 50), i - 1);
      for (int k = 0; k < 2; ++k) {
        std::string dep = Numbered("c", pick(rng));
        if (std::find(deps.begin(), deps.end(), dep) == deps.end()) deps.push_back(dep);
      }
    }
    specs.push_back(Spec(Numbered("c", i), deps));
  }
  return specs;
}

void RunOverhead(int n, int repeats) {
  std::printf("\n2. Engine overhead: start + stop of %d no-op components (eager, median of %d)\n",
              n, repeats);
  std::printf("  | %-18s | %11s | %12s | %12s | %18s |\n", "graph", "concurrency", "start ms",
              "stop ms", "us per component");
  std::printf("  |%s|%s|%s|%s|%s|\n", std::string(20, '-').c_str(), std::string(13, '-').c_str(),
              std::string(14, '-').c_str(), std::string(14, '-').c_str(),
              std::string(20, '-').c_str());
  struct Case {
    const char* shape;
    int concurrency;
  };
  for (const Case& c :
       {Case{"chain", 0}, Case{"wide", 0}, Case{"wide", 8}, Case{"random sparse DAG", 0}}) {
    const std::vector<ComponentSpec> specs = OverheadGraph(c.shape, n);
    std::vector<Duration> starts, stops, totals;
    for (int r = 0; r < repeats; ++r) {
      auto engine = MakeEngine(specs, nullptr, {.max_concurrency = c.concurrency});
      const auto t0 = Clock::now();
      BootReport boot = engine->Start();
      const auto t1 = Clock::now();
      auto stop = engine->Stop();
      const auto t2 = Clock::now();
      if (!boot.status.ok() || !stop.status.ok()) {
        std::fprintf(stderr, "engine_bench: overhead run failed\n");
        std::exit(1);
      }
      starts.push_back(t1 - t0);
      stops.push_back(t2 - t1);
      totals.push_back(t2 - t0);
    }
    const std::string concurrency =
        c.concurrency == 0 ? "unbounded" : std::to_string(c.concurrency);
    std::printf("  | %-18s | %11s | %12.1f | %12.1f | %18.2f |\n", c.shape, concurrency.c_str(),
                ToMillis(Median(starts)), ToMillis(Median(stops)),
                ToMillis(Median(totals)) * 1000.0 / n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int repeats = quick ? 1 : 5;
  const auto begin = Clock::now();
  std::printf("NovaCron lifecycle engine benchmark (%u hardware threads)%s\n",
              std::thread::hardware_concurrency(), quick ? " [quick]" : "");
  std::printf("\n1. Boot makespan by strategy: starts sleep their duration; median of %d runs.\n",
              repeats);
  std::printf(
      "   full design graph (docs/architecture.md): the notes' phase durations scaled to ms.\n");
  RunMakespan(SpecScenario(), repeats, false);
  RunMakespan(RandomScenario(100, 1, 20, 42), repeats, false);
  RunMakespan(RandomScenario(quick ? 200 : 1000, 1, 20, 43), quick ? 1 : 3, true);
  std::printf("\n   Goal: eager <= 1.05 x critical path.\n");
  RunOverhead(quick ? 1000 : 10'000, repeats);
  std::printf("\n   Goal: <= 20 us per component.\n");
  std::printf("\nTotal bench time %.1f s\n", ToMillis(Clock::now() - begin) / 1000.0);
  return 0;
}
