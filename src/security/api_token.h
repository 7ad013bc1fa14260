// API bearer tokens: 256 random bits shown once as "nct_<43 base64url chars>", stored only as
// the SHA-256 of that text (docs/security.md, "API tokens").
//
//   NOVACRON_ASSIGN_OR_RETURN(IssuedToken issued,
//                             IssueToken(store.tokens(), {.name = "ci", .role = Role::kOperator}));
//   std::cout << issued.secret;  // the only time anyone sees it
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "security/role.h"
#include "store/token_store.h"

namespace novacron::security {

inline constexpr std::string_view kTokenPrefix = "nct_";

struct NewToken {
  std::string name;  // 1..64 printable characters, no spaces at the ends
  Role role = Role::kViewer;
  std::optional<std::chrono::seconds> ttl;  // nullopt: never expires
  std::string created_by = "local";
};

struct IssuedToken {
  store::TokenRecord record;
  std::string secret;  // "nct_...": give it to the client, then forget it
};

// Generates a secret and an id, stores the record (hash only). kInvalidArgument for a bad name
// or a non-positive ttl.
Result<IssuedToken> IssueToken(
    store::TokenStore& tokens, const NewToken& request,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Lowercase hex SHA-256 of `secret`: the value the store keeps and looks tokens up by.
std::string HashTokenSecret(std::string_view secret);

// Whether `secret` has the shape of a token we issue ("nct_" + 43 base64url characters).
bool IsWellFormedTokenSecret(std::string_view secret);

// "" when `name` is acceptable, else why not.
std::string CheckTokenName(std::string_view name);

}  // namespace novacron::security
