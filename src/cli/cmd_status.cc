// novacron status: asks the running daemon how each component is doing.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/client_credentials.h"
#include "cli/commands.h"
#include "cli/config_flags.h"
#include "cli/daemon_address.h"
#include "cli/table.h"
#include "http/client.h"

namespace novacron::cli {

namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void PrintStatus(const nlohmann::json& body, const std::string& address) {
  std::cout << "node " << Str(body, "node_id") << " at " << address << ": " << Str(body, "status")
            << " (version " << Str(body, "version") << ", up "
            << FormatMillis(body.value("uptime_seconds", 0.0) * 1000) << ")\n\n";
  Table table(
      {"COMPONENT", "STATE", "CRITICALITY", "PHASE", "DURATION", "ATTEMPTS", "HEALTH", "DETAIL"});
  for (const auto& c : body.value("components", nlohmann::json::array())) {
    const nlohmann::json& health = c.value("health", nlohmann::json::object());
    std::string detail = c.contains("error") ? Str(c, "error") : Str(health, "detail");
    table.Add({Str(c, "name"), Str(c, "state"), Str(c, "criticality"), Str(c, "phase"),
               FormatMillis(c.value("duration_ms", 0.0)), std::to_string(c.value("attempts", 0)),
               Str(health, "state"), detail});
  }
  std::cout << table.Render();
}

}  // namespace

void AddStatusCommand(CLI::App& app, int& exit_code) {
  struct Options {
    ConfigFlags flags;
    std::string server;
    ClientCredentialFlags credentials;
    std::string output = "table";
    int timeout_ms = 5000;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "status",
      "Ask a running daemon for each component's state, criticality, start duration, attempts, "
      "health and error. Exit 0 when ready, 1 when not ready, 4 when no daemon answers.");
  AddConfigFlags(*cmd, opts->flags);
  cmd->add_option("--server", opts->server,
                  "Daemon API address [https://]HOST:PORT (default: $NOVACRON_SERVER, then "
                  "<data_dir>/api.addr, then api.host:api.port)")
      ->type_name("HOST:PORT");
  AddClientCredentialFlags(*cmd, opts->credentials);
  cmd->add_option("-o,--output", opts->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--timeout", opts->timeout_ms, "Request timeout in milliseconds")
      ->check(CLI::Range(1, 600000));
  cmd->callback([opts, &exit_code] {
    auto loaded = LoadOrReport(ToLoadOptions(opts->flags), /*print_warnings=*/false);
    if (!loaded) {
      exit_code = kExitUsage;
      return;
    }
    auto address = ResolveDaemonAddress(opts->server, *loaded);
    if (!address.ok()) {
      std::cerr << "novacron: " << address.status().ToString() << "\n";
      exit_code =
          address.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitUnreachable;
      return;
    }
    auto credentials = ResolveClientCredentials(opts->credentials, *address, loaded->config);
    if (!credentials.ok()) {
      std::cerr << "novacron: " << credentials.status().ToString() << "\n";
      exit_code = kExitUsage;
      return;
    }
    http::ClientRequest request;
    request.host = address->host;
    request.port = address->port;
    ApplyClientCredentials(*credentials, request);
    request.target = "/health/status";
    request.timeout = std::chrono::milliseconds(opts->timeout_ms);
    request.connect_timeout = request.timeout;
    auto response = http::HttpRequest(request);
    if (!response.ok()) {
      std::cerr << "novacron: no daemon answered: " << response.status().ToString() << "\n";
      exit_code = kExitUnreachable;
      return;
    }
    auto body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      std::cerr << "novacron: " << address->ToString() << " answered HTTP " << response->status
                << " without a status document: is it a novacron daemon?\n";
      exit_code = kExitUnreachable;
      return;
    }
    if (opts->output == "json") {
      std::cout << body.dump(2) << "\n";
    } else {
      PrintStatus(body, address->ToString());
    }
    exit_code = body.value("ready", false) ? kExitOk : kExitFailed;
  });
}

}  // namespace novacron::cli
