// Properties of the engine on random DAGs, for every strategy: dependencies start first and stop
// last, nothing starts twice, everything started is stopped once, and failures follow the policy.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <random>
#include <string>

#include "lifecycle/engine.h"
#include "lifecycle/testing/fakes.h"

namespace novacron::lifecycle {
namespace {

using testing::FakeComponent;
using testing::MakeSpec;
using testing::Numbered;
using testing::Trace;

struct RandomGraph {
  std::vector<ComponentSpec> specs;
};

// Component i may depend on any j < i; declared in a shuffled order.
RandomGraph GenerateGraph() {
  const int n = *rc::gen::inRange(1, 25);
  std::vector<ComponentSpec> specs;
  for (int i = 0; i < n; ++i) {
    ComponentSpec s = MakeSpec(Numbered("c", i));
    if (i > 0) {
      const auto deps = *rc::gen::container<std::vector<int>>(
          *rc::gen::inRange(0, std::min(i, 4) + 1), rc::gen::inRange(0, i));
      for (int d : deps) s.dependencies.push_back(Numbered("c", d));
    }
    specs.push_back(std::move(s));
  }
  std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
  std::shuffle(specs.begin(), specs.end(), rng);
  return {std::move(specs)};
}

Strategy GenerateStrategy() {
  return *rc::gen::element(Strategy::kEager, Strategy::kLevels, Strategy::kSequential);
}

// The trace positions of one component's events; -1 when absent.
struct Timeline {
  int start = -1, started = -1, stop = -1, stopped = -1;
};

std::map<std::string, Timeline> Timelines(const Trace& trace) {
  std::map<std::string, Timeline> out;
  const auto events = trace.events();
  for (int k = 0; k < static_cast<int>(events.size()); ++k) {
    const std::string& e = events[static_cast<std::size_t>(k)];
    const auto colon = e.find(':');
    const std::string what = e.substr(0, colon);
    Timeline& t = out[e.substr(colon + 1)];
    if (what == "start") t.start = k;
    if (what == "started") t.started = k;
    if (what == "stop") t.stop = k;
    if (what == "stopped") t.stopped = k;
  }
  return out;
}

// Checks the ordering invariants for every edge whose dependent started.
void CheckOrder(const std::vector<ComponentSpec>& specs, const Trace& trace) {
  const auto lines = Timelines(trace);
  for (const ComponentSpec& s : specs) {
    const auto it = lines.find(s.name);
    if (it == lines.end() || it->second.start < 0) continue;
    const Timeline& c = it->second;
    for (const std::string& dep : s.dependencies) {
      const Timeline& d = lines.at(dep);
      RC_ASSERT(d.started >= 0);
      RC_ASSERT(d.started < c.start);  // started after all its dependencies were up
      if (c.started >= 0) {
        RC_ASSERT(c.stopped >= 0);
        RC_ASSERT(d.stop >= 0);
        RC_ASSERT(c.stopped < d.stop);  // stopped before any of its dependencies
      }
    }
  }
}

RC_GTEST_PROP(EngineProperty, EveryStrategyRespectsDependenciesBothWays, ()) {
  const RandomGraph g = GenerateGraph();
  const Strategy strategy = GenerateStrategy();
  const int concurrency = *rc::gen::inRange(0, 4);
  auto trace = std::make_shared<Trace>();
  std::vector<std::shared_ptr<Component>> components;
  std::vector<std::shared_ptr<FakeComponent>> fakes;
  for (const ComponentSpec& s : g.specs) {
    fakes.push_back(std::make_shared<FakeComponent>(s, trace, [](StartContext&) {
      std::this_thread::yield();
      return Status::Ok();
    }));
    components.push_back(fakes.back());
  }
  Result<std::unique_ptr<Engine>> engine =
      Engine::Create(components, {.strategy = strategy, .max_concurrency = concurrency});
  RC_ASSERT(engine.ok());
  BootReport boot = (*engine)->Start();
  RC_ASSERT(boot.status.ok());
  StopReport stop = (*engine)->Stop();
  RC_ASSERT(stop.status.ok());
  for (const auto& f : fakes) {
    RC_ASSERT(f->starts() == 1);
    RC_ASSERT(f->stops() == 1);
  }
  RC_ASSERT(stop.components.size() == g.specs.size());
  CheckOrder(g.specs, *trace);
}

RC_GTEST_PROP(EngineProperty, FailuresFollowThePolicy, ()) {
  const RandomGraph g = GenerateGraph();
  const Strategy strategy = GenerateStrategy();
  auto trace = std::make_shared<Trace>();
  std::vector<std::shared_ptr<Component>> components;
  std::vector<std::shared_ptr<FakeComponent>> fakes;
  std::map<std::string, bool> fails;
  for (ComponentSpec s : g.specs) {
    s.criticality =
        *rc::gen::element(Criticality::kCritical, Criticality::kDegraded, Criticality::kOptional);
    const bool fail = *rc::gen::weightedElement<bool>({{1, true}, {4, false}});
    fails[s.name] = fail;
    fakes.push_back(std::make_shared<FakeComponent>(s, trace, [fail](StartContext&) {
      return fail ? InvalidArgument("injected") : Status::Ok();
    }));
    components.push_back(fakes.back());
  }
  Result<std::unique_ptr<Engine>> engine = Engine::Create(components, {.strategy = strategy});
  RC_ASSERT(engine.ok());
  BootReport boot = (*engine)->Start();
  (void)(*engine)->Stop();

  bool critical_down = false;
  for (const ComponentOutcome& o : boot.components) {
    const bool down = o.state == ComponentState::kFailed || o.state == ComponentState::kBlocked;
    if (o.criticality == Criticality::kCritical && down) critical_down = true;
  }
  // The boot fails exactly when a critical component did not come up.
  RC_ASSERT(boot.status.ok() == !critical_down);
  for (std::size_t k = 0; k < fakes.size(); ++k) {
    const FakeComponent& f = *fakes[k];
    RC_ASSERT(f.starts() <= 1);  // non-retriable errors are not retried
    // Whatever started successfully was stopped exactly once (by rollback or by Stop).
    const bool came_up = f.starts() == 1 && !fails[f.name()];
    RC_ASSERT(f.stops() == (came_up ? 1 : 0));
  }
  CheckOrder(g.specs, *trace);
}

}  // namespace
}  // namespace novacron::lifecycle
