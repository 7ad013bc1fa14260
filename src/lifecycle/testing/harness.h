// Builds an engine over fake components for the lifecycle tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lifecycle/engine.h"
#include "lifecycle/testing/fakes.h"

namespace novacron::lifecycle::testing {

// Fast retries for tests: 1 ms then 2 ms, no jitter.
inline RetryPolicy FastRetry(int attempts = 3) {
  return RetryPolicy{.max_attempts = attempts,
                     .initial_delay = std::chrono::milliseconds(1),
                     .multiplier = 2.0,
                     .max_delay = std::chrono::milliseconds(100),
                     .jitter = 0.0};
}

struct Harness {
  std::shared_ptr<Trace> trace = std::make_shared<Trace>();
  RecordingObserver observer;
  std::vector<std::shared_ptr<Component>> components;
  std::unique_ptr<Engine> engine;  // last: destroyed first

  std::shared_ptr<FakeComponent> Add(ComponentSpec spec, FakeComponent::StartFn start = nullptr,
                                     FakeComponent::StopFn stop = nullptr) {
    auto c =
        std::make_shared<FakeComponent>(std::move(spec), trace, std::move(start), std::move(stop));
    components.push_back(c);
    return c;
  }

  Engine& Build(EngineOptions options = {}) {
    options.observer = &observer;
    Result<std::unique_ptr<Engine>> e = Engine::Create(components, options);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    engine = std::move(e).value();
    return *engine;
  }

  // Observer lines starting with `prefix`, in order.
  std::vector<std::string> Lines(const std::string& prefix) const {
    std::vector<std::string> out;
    for (const std::string& l : observer.lines()) {
      if (l.rfind(prefix, 0) == 0) out.push_back(l);
    }
    return out;
  }
};

}  // namespace novacron::lifecycle::testing
