#include "servers/postgres_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <pqxx/pqxx>
#include <string>

namespace novacron::testing {
namespace {

#define START_OR_SKIP(server)                                                                 \
  do {                                                                                        \
    Status started = (server).Start();                                                        \
    if (started.code() == ErrorCode::kFailedPrecondition) GTEST_SKIP() << started.ToString(); \
    ASSERT_TRUE(started.ok()) << started.ToString();                                          \
  } while (0)

TEST(PostgresServerTest, CreatesDatabasesReachableAsNovacron) {
  PostgresServer server;
  START_OR_SKIP(server);
  EXPECT_TRUE(server.running());
  EXPECT_GT(server.port(), 0);
  Result<std::string> url = server.CreateDatabase("harness_one");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(*url,
            "postgresql://novacron@127.0.0.1:" + std::to_string(server.port()) + "/harness_one");
  pqxx::connection connection(*url);
  pqxx::work txn(connection);
  pqxx::row row = txn.exec1("SELECT current_user, current_database(), current_setting('fsync')");
  EXPECT_EQ(row[0].as<std::string>(), "novacron");
  EXPECT_EQ(row[1].as<std::string>(), "harness_one");
  EXPECT_EQ(row[2].as<std::string>(), "off");
}

TEST(PostgresServerTest, RejectsBadDatabaseNamesAndDuplicates) {
  PostgresServer server;
  START_OR_SKIP(server);
  EXPECT_EQ(server.CreateDatabase("Bad-Name; DROP").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(server.CreateDatabase("").status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(server.CreateDatabase("twice").ok());
  EXPECT_FALSE(server.CreateDatabase("twice").ok());
}

TEST(PostgresServerTest, KillLosesNoCommittedDataAndRestartReusesPort) {
  PostgresServer server;
  START_OR_SKIP(server);
  Result<std::string> url = server.CreateDatabase("survivor");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  {
    pqxx::connection connection(*url);
    pqxx::work txn(connection);
    txn.exec("CREATE TABLE t (v INTEGER)");
    txn.exec("INSERT INTO t VALUES (42)");
    txn.commit();
  }
  const int port = server.port();
  ASSERT_TRUE(server.Kill().ok());
  EXPECT_FALSE(server.running());
  EXPECT_THROW(pqxx::connection{*url}, pqxx::broken_connection);

  Status restarted = server.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  EXPECT_EQ(server.port(), port);
  pqxx::connection connection(*url);
  pqxx::work txn(connection);
  EXPECT_EQ(txn.exec1("SELECT v FROM t")[0].as<int>(), 42);
}

TEST(PostgresServerTest, StopRemovesTheDirAndIsIdempotent) {
  PostgresServer server;
  START_OR_SKIP(server);
  const std::filesystem::path dir = server.dir();
  ASSERT_TRUE(std::filesystem::exists(dir / "data" / "PG_VERSION"));
  Status stopped = server.Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_TRUE(server.Stop().ok());
  EXPECT_EQ(server.CreateDatabase("late").status().code(), ErrorCode::kFailedPrecondition);
}

TEST(PostgresServerTest, SharedServerIsStartedOnce) {
  Result<PostgresServer*> first = PostgresServer::Shared();
  if (!first.ok() && first.status().code() == ErrorCode::kFailedPrecondition) {
    GTEST_SKIP() << first.status().ToString();
  }
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<PostgresServer*> second = PostgresServer::Shared();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_TRUE((*first)->running());
}

}  // namespace
}  // namespace novacron::testing
