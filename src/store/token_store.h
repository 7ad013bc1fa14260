// Durable API tokens. The store keeps only what identifies and limits a token — its id, name,
// role, the SHA-256 of its secret, expiry and revocation — never the secret itself
// (docs/security.md, "API tokens"). The store knows nothing of roles: `role` is opaque text that
// src/security gives meaning. Implementations are thread-safe; errors are Status.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::store {

struct TokenRecord {
  std::string id;          // "tok_" + 16 hex digits; shown by `token list`, used to revoke
  std::string name;        // what the token is for, e.g. "ci" or "alice@laptop"
  std::string role;        // "viewer", "operator", "admin"
  std::string hash;        // lowercase hex SHA-256 of the secret; unique
  std::string created_by;  // the identity that created it ("local" for the offline CLI)
  std::chrono::system_clock::time_point created_at{};               // set by the store at create
  std::optional<std::chrono::system_clock::time_point> expires_at;  // nullopt: never
  std::optional<std::chrono::system_clock::time_point> revoked_at;  // nullopt: live
  bool operator==(const TokenRecord&) const = default;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Inserts `record`; returns it with created_at set. kAlreadyExists for a taken id or hash.
  virtual Result<TokenRecord> Create(const TokenRecord& record) = 0;
  // The token whose secret hashes to `hash`, revoked or not; kNotFound when none.
  virtual Result<TokenRecord> FindByHash(const std::string& hash) = 0;
  // Every token, oldest first.
  virtual Result<std::vector<TokenRecord>> List() = 0;
  // Marks the token revoked at `when` (a second revoke keeps the first time); kNotFound.
  virtual Result<TokenRecord> Revoke(const std::string& id,
                                     std::chrono::system_clock::time_point when) = 0;
};

}  // namespace novacron::store
