// Test-only: fresh databases on the process's shared PostgreSQL test server.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "servers/postgres_server.h"

namespace novacron::store::testing {

// A new database's connection string; the status (e.g. PostgreSQL not installed) otherwise.
inline Result<std::string> FreshPostgresDatabase(const std::string& prefix) {
  Result<novacron::testing::PostgresServer*> server = novacron::testing::PostgresServer::Shared();
  if (!server.ok()) return server.status();
  static std::atomic<int> counter{0};
  return (*server)->CreateDatabase(prefix + "_" + std::to_string(::getpid()) + "_" +
                                   std::to_string(counter++));
}

}  // namespace novacron::store::testing

// Declares `var` as a fresh database's connection string, skipping the test when PostgreSQL is
// not installed.
#define NOVACRON_FRESH_PG_OR_SKIP(var, prefix)                                              \
  std::string var;                                                                          \
  do {                                                                                      \
    Result<std::string> fresh_ = ::novacron::store::testing::FreshPostgresDatabase(prefix); \
    if (fresh_.status().code() == ErrorCode::kFailedPrecondition) {                         \
      GTEST_SKIP() << fresh_.status().ToString();                                           \
    }                                                                                       \
    ASSERT_TRUE(fresh_.ok()) << fresh_.status().ToString();                                 \
    var = *fresh_;                                                                          \
  } while (0)
