#include "store/postgres/postgres_conninfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace novacron::store {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PostgresConnInfoTest, UriGivesLocationWithoutPasswordAndAddsTimeouts) {
  Result<PostgresConnInfo> info =
      BuildPostgresConnInfo("postgresql://app:s3cret@db.example:6543/novacron?sslmode=disable",
                            milliseconds(2500), milliseconds(15000));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->location, "db.example:6543/novacron");
  EXPECT_THAT(info->conninfo, HasSubstr("connect_timeout='3'"));
  EXPECT_THAT(info->conninfo, HasSubstr("options='-c statement_timeout=15000'"));
  EXPECT_THAT(info->conninfo, HasSubstr("password='s3cret'"));  // libpq still needs it
  EXPECT_THAT(info->conninfo, HasSubstr("sslmode='disable'"));
}

TEST(PostgresConnInfoTest, KeyValueFormKeepsWhatTheOperatorSet) {
  Result<PostgresConnInfo> info = BuildPostgresConnInfo(
      "host=10.0.0.5 dbname=state user=nc connect_timeout=9 options='-c search_path=nc'",
      milliseconds(100), milliseconds(1000));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->location, "10.0.0.5:5432/state");
  EXPECT_THAT(info->conninfo, HasSubstr("connect_timeout='9'"));
  EXPECT_THAT(info->conninfo, HasSubstr("options='-c search_path=nc -c statement_timeout=1000'"));
}

TEST(PostgresConnInfoTest, ConnectTimeoutIsAtLeastLibpqsMinimum) {
  Result<PostgresConnInfo> info =
      BuildPostgresConnInfo("host=h dbname=d", milliseconds(10), milliseconds(1000));
  ASSERT_TRUE(info.ok());
  EXPECT_THAT(info->conninfo, HasSubstr("connect_timeout='2'"));
}

TEST(PostgresConnInfoTest, QuotesValues) {
  Result<PostgresConnInfo> info = BuildPostgresConnInfo("host=h dbname='it\\'s' password='a\\\\b'",
                                                        milliseconds(1000), milliseconds(1000));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->location, "h:5432/it's");
  EXPECT_THAT(info->conninfo, HasSubstr("dbname='it\\'s'"));
  EXPECT_THAT(info->conninfo, HasSubstr("password='a\\\\b'"));
}

TEST(PostgresConnInfoTest, MalformedStringsAreRefusedWithoutEchoingThem) {
  for (const char* bad :
       {"password=hunter2 bogus", "postgresql://u:hunter2@h/d?nonsense=1", "host='hunter2"}) {
    Result<PostgresConnInfo> info = BuildPostgresConnInfo(bad, milliseconds(1), milliseconds(1));
    EXPECT_EQ(info.status().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_THAT(info.status().ToString(), Not(HasSubstr("hunter2")));
  }
  EXPECT_EQ(BuildPostgresConnInfo("", milliseconds(1), milliseconds(1)).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace novacron::store
