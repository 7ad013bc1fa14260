// The backend-independent StateStore suite on a real PostgreSQL: each test gets a fresh database
// on the process's shared server.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/postgres/postgres_state_store.h"
#include "store/postgres/postgres_test_support.h"
#include "store/testing/store_conformance.h"

namespace novacron::store::testing {
namespace {

Result<std::unique_ptr<StateStore>> OpenFreshPostgres() {
  Result<std::string> url = FreshPostgresDatabase("conformance");
  if (!url.ok()) return url.status();
  return OpenPostgresStateStore({.connection_string = *url});
}

// Without PostgreSQL the suite is not instantiated, and the test below says why.
std::vector<StoreFactory> PostgresFactories() {
  if (!novacron::testing::PostgresServer::Available().ok()) return {};
  return {StoreFactory{"postgres", &OpenFreshPostgres}};
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::ValuesIn(PostgresFactories()),
                         StoreFactoryName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreConformanceTest);

TEST(PostgresConformanceTest, PostgresIsInstalled) {
  Status available = novacron::testing::PostgresServer::Available();
  if (!available.ok()) GTEST_SKIP() << available.ToString();
}

}  // namespace
}  // namespace novacron::store::testing
