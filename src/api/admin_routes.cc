#include "api/admin_routes.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/vm_codec.h"
#include "security/api_token.h"

namespace novacron::api {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

constexpr int kMaxAuditLimit = 1000;

json TokenToJson(const store::TokenRecord& record, system_clock::time_point now) {
  json out = {{"id", record.id},
              {"name", record.name},
              {"role", record.role},
              {"created_by", record.created_by},
              {"created_at", FormatRfc3339(record.created_at)},
              {"expires_at", record.expires_at ? json(FormatRfc3339(*record.expires_at)) : json()},
              {"revoked_at", record.revoked_at ? json(FormatRfc3339(*record.revoked_at)) : json()}};
  std::string state = "active";
  if (record.revoked_at) {
    state = "revoked";
  } else if (record.expires_at && *record.expires_at <= now) {
    state = "expired";
  }
  out["state"] = state;
  return out;
}

http::Response CreateToken(const AdminDeps& deps, const http::Request& request) {
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return BadRequest("", "request body must be a JSON object");
  }
  std::vector<vm::FieldError> errors;
  for (const auto& [key, value] : body.items()) {
    if (key != "name" && key != "role" && key != "ttl_seconds") {
      errors.push_back({key, "unknown field"});
    }
  }
  security::NewToken token;
  if (!body.contains("name") || !body["name"].is_string()) {
    errors.push_back({"name", "required, a string"});
  } else {
    token.name = body["name"].get<std::string>();
    if (std::string why = security::CheckTokenName(token.name); !why.empty()) {
      errors.push_back({"name", why});
    }
  }
  if (!body.contains("role") || !body["role"].is_string()) {
    errors.push_back({"role", "required: viewer, operator or admin"});
  } else if (auto role = security::ParseRole(body["role"].get<std::string>())) {
    token.role = *role;
  } else {
    errors.push_back({"role", "must be viewer, operator or admin"});
  }
  if (body.contains("ttl_seconds")) {
    const json& ttl = body["ttl_seconds"];
    if (!ttl.is_number_integer() || ttl.get<int64_t>() < 1 ||
        ttl.get<int64_t>() > 10 * 365 * 86400) {
      errors.push_back({"ttl_seconds", "must be an integer from 1 to 315360000 (10 years)"});
    } else {
      token.ttl = std::chrono::seconds(ttl.get<int64_t>());
    }
  }
  if (!errors.empty()) return Unprocessable(std::move(errors));
  token.created_by = request.identity.name.empty() ? request.identity.id : request.identity.name;
  Result<security::IssuedToken> issued = security::IssueToken(*deps.tokens, token);
  if (!issued.ok()) return StatusResponse(issued.status(), deps.log);
  json out = TokenToJson(issued->record, system_clock::now());
  out["secret"] = issued->secret;  // shown once; the store keeps only its hash
  http::Response response = http::Response::Json(201, out.dump());
  response.headers.Set("Location", "/api/v1/tokens/" + issued->record.id);
  return response;
}

}  // namespace

std::string TokenJson(const store::TokenRecord& record) {
  return TokenToJson(record, system_clock::now()).dump();
}

void AddAdminRoutes(http::Router& router, AdminDeps deps_in) {
  auto deps = std::make_shared<const AdminDeps>(std::move(deps_in));
  router.Get("/api/v1/tokens", [deps](const http::Request&) {
    Result<std::vector<store::TokenRecord>> tokens = deps->tokens->List();
    if (!tokens.ok()) return StatusResponse(tokens.status(), deps->log);
    json items = json::array();
    const auto now = system_clock::now();
    for (const store::TokenRecord& record : *tokens) items.push_back(TokenToJson(record, now));
    return http::Response::Json(200, json{{"items", items}}.dump());
  });
  router.Post("/api/v1/tokens",
              [deps](const http::Request& request) { return CreateToken(*deps, request); });
  router.Delete("/api/v1/tokens/{id}", [deps](const http::Request& request) {
    std::string id(request.Param("id"));
    Result<store::TokenRecord> revoked = deps->tokens->Revoke(id, system_clock::now());
    if (!revoked.ok()) return StatusResponse(revoked.status(), deps->log);
    if (deps->authenticator != nullptr) deps->authenticator->Forget(id);
    return http::Response::Json(200, TokenJson(*revoked));
  });
  router.Get("/api/v1/config", [deps](const http::Request&) {
    if (!deps->config_json) {
      return http::Response::Problem(503, "Service Unavailable", "configuration is not available");
    }
    return http::Response::Json(200, deps->config_json());
  });
  router.Get("/api/v1/audit", [deps](const http::Request& request) {
    int limit = 100;
    if (std::optional<std::string> text = request.QueryParam("limit")) {
      char* end = nullptr;
      long value = std::strtol(text->c_str(), &end, 10);
      if (text->empty() || *end != '\0' || value < 1 || value > kMaxAuditLimit) {
        return BadRequest("limit", "must be an integer from 1 to 1000");
      }
      limit = static_cast<int>(value);
    }
    if (!deps->audit_json) {
      return http::Response::Problem(503, "Service Unavailable", "the audit log is not open");
    }
    Result<std::string> entries = deps->audit_json(limit);
    if (!entries.ok()) return StatusResponse(entries.status(), deps->log);
    return http::Response::Json(200, *entries);
  });
}

}  // namespace novacron::api
