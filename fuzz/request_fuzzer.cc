// libFuzzer target: arbitrary bytes as what a client sends to the API, through the HTTP request
// parser, the router over every route of the access table, and the security middleware in token
// mode (Authorization header handling, roles, rate limit, CORS, metrics). Properties beyond "no
// crash, leak or exception":
//  - every dispatched request gets a status in [200, 599] and the security headers;
//  - a request that reaches a role-gated handler carried an identity whose role suffices;
//  - a 401 always says how to authenticate (WWW-Authenticate: Bearer ...).
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "api/access_policy.h"
#include "api/api_guard.h"
#include "http/request_parser.h"
#include "http/router.h"
#include "security/api_token.h"
#include "store/sqlite_state_store.h"

namespace {

using novacron::api::Access;
using novacron::api::AccessTable;
using novacron::api::RouteAccess;

void Check(bool ok) {
  if (!ok) abort();
}

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<novacron::store::StateStore> store;
  std::unique_ptr<novacron::security::TokenAuthenticator> tokens;
  novacron::observe::Registry metrics;
  novacron::http::Router router;

  Fixture() {
    char tmpl[] = "/tmp/novacron-request-fuzz-XXXXXX";
    Check(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    store = std::move(novacron::store::OpenSqliteStateStore({.data_dir = dir / "data"})).value();
    novacron::security::NewToken viewer;
    viewer.name = "fuzz";
    Check(novacron::security::IssueToken(store->tokens(), viewer).ok());
    novacron::security::TokenAuthenticator::Options options;
    options.config_token = "fuzz-admin-token";  // a known admin credential for the dictionary
    tokens = std::make_unique<novacron::security::TokenAuthenticator>(store->tokens(), options);
    for (const RouteAccess& entry : AccessTable()) {
      Access access = entry.access;
      router.Handle(entry.method, entry.pattern, [access](const novacron::http::Request& r) {
        bool gated =
            access == Access::kViewer || access == Access::kOperator || access == Access::kAdmin;
        if (gated) {
          auto role = novacron::security::ParseRole(r.identity.role);
          Check(role.has_value() &&
                novacron::security::RoleAllows(*role, novacron::api::RequiredRole(access)));
        }
        return novacron::http::Response::Json(200, "{}");
      });
    }
    novacron::api::GuardOptions guard;
    guard.mode = novacron::api::AuthMode::kToken;
    guard.tokens = tokens.get();
    guard.metrics = &metrics;
    guard.settings.rate_limit = 600;
    guard.settings.cors_allowed_origins = {"https://console.example"};
    auto created = novacron::api::ApiGuard::Create(guard);
    Check(created.ok());
    (*created)->Install(router);
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();  // one store for the whole run
  novacron::http::Request request;
  request.remote_address = size > 0 && (data[0] & 1) ? "127.0.0.1:4000" : "10.9.8.7:4000";
  novacron::http::RequestParser parser(request, 8 << 10, 64 << 10);
  boost::beast::error_code ec;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty() && !parser.is_done()) {
    size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
    input.remove_prefix(used);
    if (ec == boost::beast::http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  if (ec || !parser.is_done()) return 0;
  novacron::http::Response response = fixture->router.Dispatch(request);
  Check(response.status >= 200 && response.status <= 599);
  Check(response.headers.Get("X-Content-Type-Options") == "nosniff");
  if (response.status == 401) {
    Check(response.headers.Get("WWW-Authenticate").substr(0, 6) == "Bearer");
  }
  return 0;
}
