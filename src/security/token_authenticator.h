// Turns an Authorization header into a Principal: a bearer token from the token store, or the
// static security.api_token (an admin). Verified tokens are remembered for `cache_ttl`, so a
// busy client costs one hash and one map lookup per request, and a token revoked by another
// process (the offline `novacron token revoke`) stops working within that time; a revoke through
// this process's API (Forget) takes effect at once. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "security/role.h"
#include "store/token_store.h"

namespace novacron::security {

// Why a request was not authenticated; AuthFailureReason() is the metric label.
enum class AuthFailure { kMissing, kMalformed, kUnknown, kExpired, kRevoked, kUnavailable };
std::string_view AuthFailureReason(AuthFailure failure);

struct TokenCheck {
  std::optional<Principal> principal;           // set on success
  AuthFailure failure = AuthFailure::kMissing;  // meaningful when principal is empty
};

class TokenAuthenticator {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  struct Options {
    std::string config_token;  // security.api_token; "" = none
    std::chrono::milliseconds cache_ttl{5000};
    size_t max_cached = 4096;  // past this the cache starts over
    Clock now = [] { return std::chrono::system_clock::now(); };
  };

  // `tokens` must outlive this object.
  TokenAuthenticator(store::TokenStore& tokens, Options options);

  // `authorization`: the header's value ("" when absent).
  TokenCheck Check(std::string_view authorization);
  // Drops what is remembered about token `id` (after a revoke through the API).
  void Forget(const std::string& id);

 private:
  struct Cached {
    store::TokenRecord record;
    std::chrono::steady_clock::time_point fetched;
  };
  TokenCheck FromRecord(const store::TokenRecord& record) const;

  store::TokenStore& tokens_;
  const Options options_;
  const std::string config_token_hash_;  // "" when no config token
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // by hash; guarded by mu_
};

// The bearer credential in an Authorization header value ("Bearer <credential>", scheme
// case-insensitive); nullopt when the header is not a Bearer header.
std::optional<std::string_view> BearerCredential(std::string_view authorization);

}  // namespace novacron::security
