// How an Engine runs its components.
#pragma once

#include <chrono>
#include <cstdint>

#include "lifecycle/strategy.h"

namespace novacron::lifecycle {

class Observer;

struct EngineOptions {
  Strategy strategy = Strategy::kEager;
  // Starts and stops running at once (bulkhead); 0 is unbounded. kSequential implies 1.
  int max_concurrency = 0;
  // For components whose spec leaves its timeout at zero.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds stop_timeout = std::chrono::seconds(10);
  // Not owned; must outlive the engine. May be null. See observer.h for its threading.
  Observer* observer = nullptr;
  // Seeds the retry jitter; 0 draws a random seed.
  std::uint64_t seed = 0;
};

}  // namespace novacron::lifecycle
