// Backend-independent tests of the StateStore contract (boots and VM records). Each backend's
// test binary compiles store_conformance*.cc and instantiates the suite with its factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreFactory{"sqlite", &OpenFreshSqlite}),
//                            StoreFactoryName);
//
// `open` returns a new, empty, migrated store each time it is called (a fresh temp dir, a fresh
// PostgreSQL database, ...), so tests never see each other's data.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "common/status.h"
#include "store/state_store.h"

namespace novacron::store::testing {

struct StoreFactory {
  std::string name;  // gtest-safe: [A-Za-z0-9_]
  std::function<Result<std::unique_ptr<StateStore>>()> open;
};

// Test listings show the backend instead of the factory's bytes.
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

inline std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<StateStore>> opened = GetParam().open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  StateStore& store() { return *store_; }

 private:
  std::unique_ptr<StateStore> store_;
};

}  // namespace novacron::store::testing
