// Test-only helpers for the VmStore conformance tests: records with fresh UUIDs, and shortcuts
// that fail the test (rather than crash) when a call does not succeed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/vm_store.h"

namespace novacron::store::testing {

// A random version 4 UUID, lowercase, 36 characters.
inline std::string NewUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid(36, '-');
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    uuid[i] = kHex[rng() % 16];
  }
  uuid[14] = '4';
  uuid[19] = kHex[8 + rng() % 4];
  return uuid;
}

inline VmRecord NewVm(std::string name, std::string state = "stopped",
                      std::map<std::string, std::string> labels = {}) {
  VmRecord vm;
  vm.id = NewUuid();
  vm.name = name;
  vm.spec_json = R"({"name":")" + name + R"(","vcpus":2,"memory_mib":2048})";
  vm.labels = std::move(labels);
  vm.state = std::move(state);
  return vm;
}

inline std::vector<std::string> NamesOf(const std::vector<VmRecord>& vms) {
  std::vector<std::string> names;
  for (const VmRecord& vm : vms) names.push_back(vm.name);
  return names;
}

// Creates `vm` and returns it as stored; adds a test failure (and returns `vm`) on error.
inline VmRecord MustCreate(VmStore& store, const VmRecord& vm) {
  Result<VmRecord> created = store.Create(vm);
  EXPECT_TRUE(created.ok()) << "create " << vm.name << ": " << created.status().ToString();
  return created.ok() ? *created : vm;
}

// Every page of `filter` with `limit` items per page, checking the page sizes and cursors.
inline std::vector<VmRecord> AllPages(VmStore& store, const VmListFilter& filter, int limit) {
  std::vector<VmRecord> all;
  VmPageRequest request{.limit = limit, .cursor = ""};
  for (int pages = 0; pages < 1000; ++pages) {
    Result<VmPage> page = store.List(filter, request);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    EXPECT_LE(page->items.size(), static_cast<size_t>(limit));
    all.insert(all.end(), page->items.begin(), page->items.end());
    if (page->next_cursor.empty()) break;
    // A page that promises more is full.
    EXPECT_EQ(page->items.size(), static_cast<size_t>(limit));
    request.cursor = page->next_cursor;
  }
  return all;
}

// Now, truncated to what the stores keep (microseconds).
inline std::chrono::system_clock::time_point NowMicros() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// Whether `t` is a plausible "now" taken by the store during the test (tolerates a database
// server whose clock differs a little from ours; catches unit and epoch mistakes).
inline ::testing::AssertionResult IsRecent(std::chrono::system_clock::time_point t) {
  const auto now = std::chrono::system_clock::now();
  if (t > now - std::chrono::minutes(1) && t < now + std::chrono::minutes(1)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "time "
         << std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count()
         << "us is not within a minute of now";
}

}  // namespace novacron::store::testing
