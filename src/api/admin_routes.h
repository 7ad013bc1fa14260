// Administration routes (role admin, docs/api.md "Administration"): API tokens, the running
// configuration (secrets masked) and the newest audit log entries.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "http/router.h"
#include "observe/log.h"
#include "security/token_authenticator.h"
#include "store/token_store.h"

namespace novacron::api {

struct AdminDeps {
  store::TokenStore* tokens = nullptr;                       // required
  security::TokenAuthenticator* authenticator = nullptr;     // told about revokes; may be null
  std::function<std::string()> config_json;                  // `config show --json`, masked
  std::function<Result<std::string>(int limit)> audit_json;  // {"items":[...]} newest last
  observe::Logger log = observe::Logger::Discard();
};

void AddAdminRoutes(http::Router& router, AdminDeps deps);

// The JSON the API and `novacron token list --json` show for a token (never the hash).
std::string TokenJson(const store::TokenRecord& record);

}  // namespace novacron::api
