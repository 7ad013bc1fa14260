#include "security/token_authenticator.h"

#include <openssl/crypto.h>

#include "security/api_token.h"

namespace novacron::security {
namespace {

bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

TokenCheck Fail(AuthFailure failure) { return {std::nullopt, failure}; }

}  // namespace

std::string_view AuthFailureReason(AuthFailure failure) {
  switch (failure) {
    case AuthFailure::kMissing:
      return "missing";
    case AuthFailure::kMalformed:
      return "malformed";
    case AuthFailure::kUnknown:
      return "unknown";
    case AuthFailure::kExpired:
      return "expired";
    case AuthFailure::kRevoked:
      return "revoked";
    case AuthFailure::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

std::optional<std::string_view> BearerCredential(std::string_view authorization) {
  size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!EqualsIgnoreCaseAscii(authorization.substr(0, space), "bearer")) return std::nullopt;
  std::string_view credential = authorization.substr(space + 1);
  while (!credential.empty() && credential.front() == ' ') credential.remove_prefix(1);
  while (!credential.empty() && credential.back() == ' ') credential.remove_suffix(1);
  return credential;
}

TokenAuthenticator::TokenAuthenticator(store::TokenStore& tokens, Options options)
    : tokens_(tokens),
      options_(std::move(options)),
      config_token_hash_(options_.config_token.empty() ? std::string()
                                                       : HashTokenSecret(options_.config_token)) {}

TokenCheck TokenAuthenticator::FromRecord(const store::TokenRecord& record) const {
  if (record.revoked_at) return Fail(AuthFailure::kRevoked);
  if (record.expires_at && *record.expires_at <= options_.now()) {
    return Fail(AuthFailure::kExpired);
  }
  std::optional<Role> role = ParseRole(record.role);
  if (!role) return Fail(AuthFailure::kUnknown);  // written by a newer version: refuse
  return {Principal{"token", record.id, record.name, *role}, AuthFailure::kMissing};
}

TokenCheck TokenAuthenticator::Check(std::string_view authorization) {
  if (authorization.empty()) return Fail(AuthFailure::kMissing);
  std::optional<std::string_view> credential = BearerCredential(authorization);
  if (!credential || credential->empty()) return Fail(AuthFailure::kMalformed);
  std::string hash = HashTokenSecret(*credential);
  // The config token may have any shape the operator chose; compare hashes in constant time.
  if (!config_token_hash_.empty() && hash.size() == config_token_hash_.size() &&
      CRYPTO_memcmp(hash.data(), config_token_hash_.data(), hash.size()) == 0) {
    return {Principal{"config", "api_token", "security.api_token", Role::kAdmin},
            AuthFailure::kMissing};
  }
  if (!IsWellFormedTokenSecret(*credential)) return Fail(AuthFailure::kMalformed);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.fetched < options_.cache_ttl) {
      return FromRecord(it->second.record);
    }
  }
  Result<store::TokenRecord> record = tokens_.FindByHash(hash);
  if (!record.ok()) {
    return Fail(record.status().code() == ErrorCode::kNotFound ? AuthFailure::kUnknown
                                                               : AuthFailure::kUnavailable);
  }
  {
    std::lock_guard lock(mu_);
    if (cache_.size() >= options_.max_cached) cache_.clear();
    cache_[hash] = Cached{*record, now};
  }
  return FromRecord(*record);
}

void TokenAuthenticator::Forget(const std::string& id) {
  std::lock_guard lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.record.id == id ? cache_.erase(it) : std::next(it);
  }
}

}  // namespace novacron::security
