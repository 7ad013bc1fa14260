// The TokenStore contract: create, find by hash, list, revoke; unique ids and hashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/testing/store_conformance.h"

namespace novacron::store::testing {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;
using ::testing::HasSubstr;

TokenRecord Token(std::string id, std::string hash) {
  TokenRecord record;
  record.id = std::move(id);
  record.name = "ci";
  record.role = "operator";
  record.hash = std::move(hash);
  record.created_by = "local";
  return record;
}

TEST_P(StoreConformanceTest, TokenCreateThenFindByHash) {
  TokenStore& tokens = store().tokens();
  TokenRecord record = Token("tok_0000000000000001", std::string(64, 'a'));
  record.expires_at = system_clock::time_point(std::chrono::microseconds(1'900'000'000'000'000));
  Result<TokenRecord> created = tokens.Create(record);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_NE(created->created_at, system_clock::time_point{});
  Result<TokenRecord> found = tokens.FindByHash(record.hash);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, *created);
  EXPECT_EQ(found->expires_at, record.expires_at);
  EXPECT_FALSE(found->revoked_at.has_value());
  EXPECT_EQ(tokens.FindByHash(std::string(64, 'b')).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, TokenIdsAndHashesAreUnique) {
  TokenStore& tokens = store().tokens();
  ASSERT_TRUE(tokens.Create(Token("tok_1", "h1")).ok());
  Result<TokenRecord> same_id = tokens.Create(Token("tok_1", "h2"));
  EXPECT_EQ(same_id.status().code(), ErrorCode::kAlreadyExists);
  Result<TokenRecord> same_hash = tokens.Create(Token("tok_2", "h1"));
  EXPECT_EQ(same_hash.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(same_hash.status().message(), HasSubstr("secret"));
  Result<std::vector<TokenRecord>> all = tokens.List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(StoreConformanceTest, TokenRevokeKeepsTheFirstTime) {
  TokenStore& tokens = store().tokens();
  ASSERT_TRUE(tokens.Create(Token("tok_a", "ha")).ok());
  ASSERT_TRUE(tokens.Create(Token("tok_b", "hb")).ok());
  system_clock::time_point first =
      system_clock::time_point(std::chrono::microseconds(1'800'000'000'000'000));
  Result<TokenRecord> revoked = tokens.Revoke("tok_a", first);
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->revoked_at, first);
  Result<TokenRecord> again = tokens.Revoke("tok_a", first + hours(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_at, first);
  EXPECT_EQ(tokens.Revoke("tok_missing", first).status().code(), ErrorCode::kNotFound);
  Result<std::vector<TokenRecord>> all = tokens.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE((*all)[0].revoked_at.has_value() != (*all)[1].revoked_at.has_value());
  Result<TokenRecord> found = tokens.FindByHash("ha");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->revoked_at, first);
}

}  // namespace
}  // namespace novacron::store::testing
