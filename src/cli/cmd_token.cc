// novacron token create|list|revoke: API bearer tokens, managed directly in the state store
// under the data dir (SQLite) or in PostgreSQL — no running daemon needed, so the first admin
// token of a fresh install is one command (docs/security.md, "API tokens").
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/admin_routes.h"
#include "cli/commands.h"
#include "cli/config_flags.h"
#include "cli/table.h"
#include "components/database_component.h"
#include "config/units.h"
#include "security/api_token.h"
#include "security/audit_log.h"

namespace novacron::cli {
namespace {

using nlohmann::json;

struct TokenOptions {
  ConfigFlags flags;
  std::string role;
  std::string name;
  std::string ttl;
  std::string id;
  std::string output = "table";
};

// Token changes made here are audited like those made through the API: in the audit log of the
// data dir, as actor "local:<user>".
Status AuditTokenChange(const config::Config& config, std::string_view action,
                        const store::TokenRecord& record) {
  security::AuditOptions options;
  options.dir = config.system.data_dir;
  options.rotate_bytes = config.security.audit_rotate_bytes;
  options.retention =
      std::chrono::duration_cast<std::chrono::seconds>(config.security.audit_retention);
  NOVACRON_ASSIGN_OR_RETURN(std::unique_ptr<security::AuditLog> audit,
                            security::AuditLog::Open(std::move(options)));
  const char* user = std::getenv("USER");
  security::AuditEvent event;
  event.actor = std::string("local:") + (user != nullptr ? user : "unknown");
  event.action = std::string(action);
  event.target = record.id;
  event.result = "ok";
  event.detail = "role " + record.role + ", name \"" + record.name + "\"";
  return audit->Append(event);
}

// Opens the state store the daemon uses; prints why not and sets `exit_code` on failure.
std::unique_ptr<store::StateStore> OpenStore(
    const ConfigFlags& flags, int& exit_code,
    std::optional<config::LoadedConfig>* config = nullptr) {
  auto loaded = LoadOrReport(ToLoadOptions(flags), /*print_warnings=*/false);
  if (!loaded) {
    exit_code = kExitUsage;
    return nullptr;
  }
  if (config != nullptr) *config = loaded;
  auto opened = components::OpenStateStore(loaded->config);
  if (!opened.ok()) {
    std::cerr << "novacron: " << opened.status().ToString() << "\n";
    exit_code = kExitFailed;
    return nullptr;
  }
  return std::move(opened).value();
}

void Create(const TokenOptions& opts, int& exit_code) {
  security::NewToken request;
  request.name = opts.name.empty() ? opts.role : opts.name;
  request.role = *security::ParseRole(opts.role);  // checked by the flag
  if (!opts.ttl.empty()) {
    Result<std::chrono::milliseconds> ttl = config::ParseDuration(opts.ttl);
    if (!ttl.ok() || ttl->count() < 1000) {
      std::cerr << "novacron: --ttl " << opts.ttl
                << ": expected a duration of at least 1s, e.g. 12h, 30d\n";
      exit_code = kExitUsage;
      return;
    }
    request.ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  }
  request.created_by = "local";
  std::optional<config::LoadedConfig> loaded;
  std::unique_ptr<store::StateStore> store = OpenStore(opts.flags, exit_code, &loaded);
  if (!store) return;
  Result<security::IssuedToken> issued = security::IssueToken(store->tokens(), request);
  if (!issued.ok()) {
    std::cerr << "novacron: " << issued.status().ToString() << "\n";
    exit_code = issued.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailed;
    return;
  }
  if (Status audited = AuditTokenChange(loaded->config, "token.create", issued->record);
      !audited.ok()) {
    // The token exists but nobody could see who made it: take it back.
    (void)store->tokens().Revoke(issued->record.id, std::chrono::system_clock::now());
    std::cerr << "novacron: token not created: " << audited.ToString() << "\n";
    exit_code = kExitFailed;
    return;
  }
  if (opts.output == "json") {
    json out = json::parse(api::TokenJson(issued->record));
    out["secret"] = issued->secret;
    std::cout << out.dump(2) << "\n";
  } else {
    // The secret alone on stdout, so `export NOVACRON_TOKEN=$(novacron token create ...)` works.
    std::cout << issued->secret << "\n";
    std::cerr << "created token " << issued->record.id << " (role " << issued->record.role
              << ", name \"" << issued->record.name << "\""
              << (request.ttl ? ", expires in " + opts.ttl : std::string(", never expires"))
              << ").\nThis is the only time the secret is shown; the store keeps only its "
                 "SHA-256.\n";
  }
  exit_code = kExitOk;
}

void List(const TokenOptions& opts, int& exit_code) {
  std::unique_ptr<store::StateStore> store = OpenStore(opts.flags, exit_code);
  if (!store) return;
  Result<std::vector<store::TokenRecord>> tokens = store->tokens().List();
  if (!tokens.ok()) {
    std::cerr << "novacron: " << tokens.status().ToString() << "\n";
    exit_code = kExitFailed;
    return;
  }
  json items = json::array();
  for (const store::TokenRecord& record : *tokens) {
    items.push_back(json::parse(api::TokenJson(record)));
  }
  if (opts.output == "json") {
    std::cout << json{{"items", items}}.dump(2) << "\n";
  } else if (items.empty()) {
    std::cout << "no tokens; create one with: novacron token create --role admin\n";
  } else {
    Table table({"ID", "NAME", "ROLE", "STATE", "CREATED", "EXPIRES", "CREATED BY"});
    for (const json& item : items) {
      table.Add({item["id"], item["name"], item["role"], item["state"], item["created_at"],
                 item["expires_at"].is_null() ? std::string("never")
                                              : item["expires_at"].get<std::string>(),
                 item["created_by"]});
    }
    std::cout << table.Render();
  }
  exit_code = kExitOk;
}

void Revoke(const TokenOptions& opts, int& exit_code) {
  std::optional<config::LoadedConfig> loaded;
  std::unique_ptr<store::StateStore> store = OpenStore(opts.flags, exit_code, &loaded);
  if (!store) return;
  Result<store::TokenRecord> revoked =
      store->tokens().Revoke(opts.id, std::chrono::system_clock::now());
  if (!revoked.ok()) {
    std::cerr << "novacron: " << revoked.status().ToString() << "\n";
    exit_code = revoked.status().code() == ErrorCode::kNotFound ? kExitNotFound : kExitFailed;
    return;
  }
  if (Status audited = AuditTokenChange(loaded->config, "token.revoke", *revoked); !audited.ok()) {
    std::cerr << "novacron: warning: the revoke is not in the audit log: " << audited.ToString()
              << "\n";
  }
  std::cout << "revoked " << revoked->id << " (" << revoked->name
            << "); a running daemon refuses it within 5 s\n";
  exit_code = kExitOk;
}

}  // namespace

void AddTokenCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<TokenOptions>();
  CLI::App* token = app.add_subcommand(
      "token",
      "Manage API bearer tokens in the state store (no daemon needed). Tokens carry a role: "
      "viewer (read), operator (VM actions, create, delete) or admin (also tokens, config, "
      "audit). Clients send them as 'Authorization: Bearer <token>' (the CLI reads "
      "NOVACRON_TOKEN).");
  token->require_subcommand(1);

  CLI::App* create = token->add_subcommand(
      "create", "Create a token and print its secret once (stdout); only its SHA-256 is stored");
  AddConfigFlags(*create, opts->flags);
  create->add_option("--role", opts->role, "viewer, operator or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  create->add_option("--name", opts->name, "What the token is for (default: the role)");
  create->add_option("--ttl", opts->ttl, "Lifetime, e.g. 12h or 90d (default: never expires)");
  create->add_option("-o,--output", opts->output, "table (secret only) or json")
      ->check(CLI::IsMember({"table", "json"}));
  create->callback([opts, &exit_code] { Create(*opts, exit_code); });

  CLI::App* list = token->add_subcommand("list", "List tokens (never their secrets)");
  AddConfigFlags(*list, opts->flags);
  list->add_option("-o,--output", opts->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  list->callback([opts, &exit_code] { List(*opts, exit_code); });

  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by id (tok_...)");
  AddConfigFlags(*revoke, opts->flags);
  revoke->add_option("id", opts->id, "Token id, as shown by `token list`")->required();
  revoke->callback([opts, &exit_code] { Revoke(*opts, exit_code); });
}

}  // namespace novacron::cli
