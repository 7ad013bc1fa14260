#include "store/migration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "store/schema.h"

namespace novacron::store {
namespace {

using ::testing::HasSubstr;

const std::vector<Migration> kThree = {
    {1, "one", "CREATE TABLE a (x INTEGER)"},
    {2, "two", "CREATE TABLE b (x INTEGER)"},
    {3, "three", "CREATE TABLE c (x INTEGER)"},
};

std::vector<int> Versions(const std::vector<Migration>& migrations) {
  std::vector<int> out;
  for (const Migration& m : migrations) out.push_back(m.version);
  return out;
}

TEST(MigrationTest, TheStoreSchemaIsAValidList) {
  EXPECT_TRUE(ValidateMigrations(StoreMigrations()).ok());
  EXPECT_GE(LatestVersion(StoreMigrations()), 1);
}

TEST(MigrationTest, ValidateRejectsGapsAndEmptyEntries) {
  std::vector<Migration> gap = {{1, "one", "x"}, {3, "three", "x"}};
  Status s = ValidateMigrations(gap);
  EXPECT_EQ(s.code(), ErrorCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("entry 1 ('three') has version 3, expected 2"));
  std::vector<Migration> from_zero = {{0, "zero", "x"}};
  EXPECT_FALSE(ValidateMigrations(from_zero).ok());
  std::vector<Migration> unnamed = {{1, "", "x"}};
  EXPECT_FALSE(ValidateMigrations(unnamed).ok());
  std::vector<Migration> no_sql = {{1, "one", ""}};
  EXPECT_FALSE(ValidateMigrations(no_sql).ok());
  EXPECT_EQ(LatestVersion({}), 0);
}

TEST(MigrationTest, PendingAreTheUnappliedInOrder) {
  Result<std::vector<Migration>> all = PendingMigrations(kThree, {}, "db");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Versions(*all), (std::vector<int>{1, 2, 3}));

  std::vector<AppliedMigration> first = {{1, "one"}};
  Result<std::vector<Migration>> rest = PendingMigrations(kThree, first, "db");
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Versions(*rest), (std::vector<int>{2, 3}));

  std::vector<AppliedMigration> everything = {{1, "one"}, {2, "two"}, {3, "three"}};
  Result<std::vector<Migration>> none = PendingMigrations(kThree, everything, "db");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(MigrationTest, NewerDatabaseIsRefusedWithAClearMessage) {
  std::vector<AppliedMigration> newer = {{1, "one"}, {2, "two"}, {3, "three"}, {7, "seven"}};
  Result<std::vector<Migration>> pending = PendingMigrations(kThree, newer, "/var/lib/x.db");
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(pending.status().message(),
            "database schema version 7 is newer than this novacron (knows 3); refusing to start "
            "(/var/lib/x.db)");
  EXPECT_FALSE(pending.status().retriable());
}

TEST(MigrationTest, DivergedNameIsRefused) {
  std::vector<AppliedMigration> diverged = {{1, "one"}, {2, "something_else"}};
  Result<std::vector<Migration>> pending = PendingMigrations(kThree, diverged, "x.db");
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(pending.status().message(),
              HasSubstr("migration 2 is 'something_else' there but 'two' in this novacron"));
}

}  // namespace
}  // namespace novacron::store
