// Test data for the DWCP tests: reproducible random bytes.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace novacron::dwcp {

inline std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (uint8_t& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

}  // namespace novacron::dwcp
