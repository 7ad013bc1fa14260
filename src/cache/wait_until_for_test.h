// Polling with a generous bound, for tests that wait on TTLs and reconnects: the bound only
// stops a broken test from hanging; nothing asserts on how fast it was.
#pragma once

#include <chrono>
#include <thread>

namespace novacron::cache {

template <typename Predicate>
bool WaitUntil(Predicate predicate, std::chrono::seconds bound = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace novacron::cache
