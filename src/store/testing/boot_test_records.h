// Test-only builders of boot records, shared by the BootStore conformance suite and the
// backends' own boot tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "store/boot_record.h"
#include "store/testing/vm_test_records.h"  // NowMicros

namespace novacron::store::testing {

inline BootInfo Info(std::string node_id = "node-a", int64_t pid = 4242) {
  return {.node_id = std::move(node_id),
          .pid = pid,
          .version = "0.1.0",
          .strategy = "eager",
          .started_at = NowMicros()};
}

inline ComponentRecord Component(std::string name, std::string state,
                                 std::optional<int64_t> start_us = std::nullopt,
                                 std::optional<int64_t> end_us = std::nullopt) {
  ComponentRecord c;
  c.name = std::move(name);
  c.phase = "core";
  c.criticality = "critical";
  c.state = std::move(state);
  c.attempts = 1;
  if (start_us) c.start_offset = std::chrono::microseconds(*start_us);
  if (end_us) c.end_offset = std::chrono::microseconds(*end_us);
  return c;
}

}  // namespace novacron::store::testing
