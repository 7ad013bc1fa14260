#include "security/api_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::security {
namespace {

NewToken Request(std::string name, Role role = Role::kViewer,
                 std::optional<std::chrono::seconds> ttl = std::nullopt) {
  NewToken request;
  request.name = std::move(name);
  request.role = role;
  request.ttl = ttl;
  return request;
}

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ApiTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStateStore({.data_dir = dir_.path() / "data"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  store::testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
};

TEST_F(ApiTokenTest, IssuedSecretIsStoredOnlyAsItsHash) {
  Result<IssuedToken> issued = IssueToken(store_->tokens(), Request("ci", Role::kOperator));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_THAT(issued->secret, StartsWith("nct_"));
  EXPECT_TRUE(IsWellFormedTokenSecret(issued->secret));
  EXPECT_THAT(issued->record.id, StartsWith("tok_"));
  EXPECT_EQ(issued->record.role, "operator");
  EXPECT_EQ(issued->record.hash, HashTokenSecret(issued->secret));
  auto all = store_->tokens().List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].hash.size(), 64u);
  EXPECT_EQ((*all)[0].hash.find(issued->secret.substr(4)), std::string::npos);
}

TEST_F(ApiTokenTest, SecretsAndIdsDifferEveryTime) {
  std::set<std::string> secrets, ids;
  for (int i = 0; i < 50; ++i) {
    Result<IssuedToken> issued = IssueToken(store_->tokens(), Request("t" + std::to_string(i)));
    ASSERT_TRUE(issued.ok());
    secrets.insert(issued->secret);
    ids.insert(issued->record.id);
  }
  EXPECT_EQ(secrets.size(), 50u);
  EXPECT_EQ(ids.size(), 50u);
}

TEST_F(ApiTokenTest, TtlSetsExpiry) {
  auto now = std::chrono::system_clock::now();
  Result<IssuedToken> issued =
      IssueToken(store_->tokens(), Request("short", Role::kViewer, std::chrono::hours(2)), now);
  ASSERT_TRUE(issued.ok());
  ASSERT_TRUE(issued->record.expires_at.has_value());
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::seconds>(*issued->record.expires_at - now).count(),
      7200);
}

TEST_F(ApiTokenTest, BadRequestsAreRefused) {
  EXPECT_THAT(IssueToken(store_->tokens(), Request("")).status().message(), HasSubstr("name"));
  EXPECT_THAT(IssueToken(store_->tokens(), Request("a\nb")).status().message(),
              HasSubstr("control"));
  EXPECT_THAT(IssueToken(store_->tokens(), Request(std::string(65, 'x'))).status().message(),
              HasSubstr("64"));
  EXPECT_THAT(IssueToken(store_->tokens(), Request("x", Role::kViewer, std::chrono::seconds(0)))
                  .status()
                  .message(),
              HasSubstr("ttl"));
}

TEST(ApiTokenShapeTest, WellFormedness) {
  EXPECT_FALSE(IsWellFormedTokenSecret(""));
  EXPECT_FALSE(IsWellFormedTokenSecret("nct_"));
  EXPECT_FALSE(IsWellFormedTokenSecret("nct_" + std::string(42, 'a')));
  EXPECT_TRUE(IsWellFormedTokenSecret("nct_" + std::string(43, 'a')));
  EXPECT_FALSE(IsWellFormedTokenSecret("nct_" + std::string(42, 'a') + "="));
  EXPECT_FALSE(IsWellFormedTokenSecret("xyz_" + std::string(43, 'a')));
  // SHA-256("abc")
  EXPECT_EQ(HashTokenSecret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace novacron::security
