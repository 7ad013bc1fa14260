#include "security/token_authenticator.h"

#include <gtest/gtest.h>

#include "security/api_token.h"
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

using std::chrono::system_clock;

class TokenAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStateStore({.data_dir = dir_.path() / "data"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  std::string Issue(Role role, std::optional<std::chrono::seconds> ttl = std::nullopt) {
    Result<IssuedToken> issued = IssueToken(store_->tokens(), Request("t", role, ttl));
    EXPECT_TRUE(issued.ok());
    id_ = issued->record.id;
    return issued->secret;
  }
  TokenAuthenticator::Options Options() {
    TokenAuthenticator::Options options;
    options.now = [this] { return now_; };
    return options;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  system_clock::time_point now_ = system_clock::now();
  std::string id_;
};

TEST_F(TokenAuthenticatorTest, ValidTokenYieldsItsRole) {
  std::string secret = Issue(Role::kOperator);
  TokenAuthenticator auth(store_->tokens(), Options());
  TokenCheck check = auth.Check("Bearer " + secret);
  ASSERT_TRUE(check.principal.has_value());
  EXPECT_EQ(check.principal->role, Role::kOperator);
  EXPECT_EQ(check.principal->identity, id_);
  EXPECT_TRUE(auth.Check("bearer  " + secret).principal.has_value());  // scheme is case-free
}

TEST_F(TokenAuthenticatorTest, EachFailureHasItsReason) {
  TokenAuthenticator auth(store_->tokens(), Options());
  EXPECT_EQ(auth.Check("").failure, AuthFailure::kMissing);
  EXPECT_EQ(auth.Check("Basic dXNlcjpwYXNz").failure, AuthFailure::kMalformed);
  EXPECT_EQ(auth.Check("Bearer").failure, AuthFailure::kMalformed);
  EXPECT_EQ(auth.Check("Bearer not-a-token").failure, AuthFailure::kMalformed);
  EXPECT_EQ(auth.Check("Bearer nct_" + std::string(43, 'A')).failure, AuthFailure::kUnknown);
}

TEST_F(TokenAuthenticatorTest, ExpiredTokenIsRefusedEvenWhenCached) {
  std::string secret = Issue(Role::kViewer, std::chrono::seconds(60));
  TokenAuthenticator auth(store_->tokens(), Options());
  ASSERT_TRUE(auth.Check("Bearer " + secret).principal.has_value());
  now_ += std::chrono::seconds(61);
  EXPECT_EQ(auth.Check("Bearer " + secret).failure, AuthFailure::kExpired);
}

TEST_F(TokenAuthenticatorTest, RevokeTakesEffectAtOnceAfterForget) {
  std::string secret = Issue(Role::kAdmin);
  TokenAuthenticator::Options options = Options();
  options.cache_ttl = std::chrono::hours(1);
  TokenAuthenticator auth(store_->tokens(), options);
  ASSERT_TRUE(auth.Check("Bearer " + secret).principal.has_value());
  ASSERT_TRUE(store_->tokens().Revoke(id_, now_).ok());
  // Still cached: another process's revoke is seen after cache_ttl ...
  EXPECT_TRUE(auth.Check("Bearer " + secret).principal.has_value());
  // ... this process's own revoke at once.
  auth.Forget(id_);
  EXPECT_EQ(auth.Check("Bearer " + secret).failure, AuthFailure::kRevoked);
}

TEST_F(TokenAuthenticatorTest, RevokeByAnotherProcessIsSeenAfterTheCacheTtl) {
  std::string secret = Issue(Role::kAdmin);
  TokenAuthenticator::Options options = Options();
  options.cache_ttl = std::chrono::milliseconds(0);
  TokenAuthenticator auth(store_->tokens(), options);
  ASSERT_TRUE(auth.Check("Bearer " + secret).principal.has_value());
  ASSERT_TRUE(store_->tokens().Revoke(id_, now_).ok());
  EXPECT_EQ(auth.Check("Bearer " + secret).failure, AuthFailure::kRevoked);
}

TEST_F(TokenAuthenticatorTest, ConfigTokenIsAnAdmin) {
  TokenAuthenticator::Options options = Options();
  options.config_token = "operator-chosen secret";
  TokenAuthenticator auth(store_->tokens(), options);
  TokenCheck check = auth.Check("Bearer operator-chosen secret");
  ASSERT_TRUE(check.principal.has_value());
  EXPECT_EQ(check.principal->role, Role::kAdmin);
  EXPECT_EQ(check.principal->kind, "config");
  EXPECT_FALSE(auth.Check("Bearer operator-chosen secreT").principal.has_value());
}

TEST(BearerCredentialTest, Parses) {
  EXPECT_EQ(BearerCredential("Bearer abc"), "abc");
  EXPECT_EQ(BearerCredential("BEARER abc "), "abc");
  EXPECT_FALSE(BearerCredential("Bearerabc").has_value());
  EXPECT_FALSE(BearerCredential("Token abc").has_value());
}

}  // namespace
}  // namespace novacron::security
