// novacron boots: recent boot timelines from the state store, the slowest chain first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/boot_chain.h"
#include "cli/commands.h"
#include "cli/config_flags.h"
#include "cli/table.h"
#include "components/database_component.h"
#include "store/sqlite_state_store.h"

namespace novacron::cli {
namespace {

double Ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json BootJson(const store::BootRecord& b) {
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : b.components) {
    nlohmann::json j = {
        {"name", c.name},   {"phase", c.phase},       {"criticality", c.criticality},
        {"state", c.state}, {"attempts", c.attempts}, {"dependencies", c.dependencies}};
    if (c.start_offset) j["start_ms"] = Ms(*c.start_offset);
    if (c.end_offset) j["end_ms"] = Ms(*c.end_offset);
    if (!c.error.empty()) j["error"] = c.error;
    components.push_back(j);
  }
  nlohmann::json checkpoints = nlohmann::json::array();
  for (const auto& cp : b.checkpoints) {
    checkpoints.push_back({{"name", cp.name}, {"at_ms", Ms(cp.offset)}});
  }
  nlohmann::json chain = nlohmann::json::array();
  for (const auto* c : SlowestChain(b)) chain.push_back(c->name);
  nlohmann::json j = {{"id", b.id},
                      {"node_id", b.info.node_id},
                      {"pid", b.info.pid},
                      {"version", b.info.version},
                      {"strategy", b.info.strategy},
                      {"started_at", Rfc3339(b.info.started_at)},
                      {"state", store::BootStateName(b.state)},
                      {"slowest_chain", chain},
                      {"checkpoints", checkpoints},
                      {"components", components}};
  if (b.total_duration) j["total_ms"] = Ms(*b.total_duration);
  if (!b.error.empty()) j["error"] = b.error;
  if (b.shutdown) {
    j["shutdown"] = {{"at", Rfc3339(b.shutdown->at)}, {"clean", b.shutdown->clean}};
  }
  return j;
}

void PrintBoot(const store::BootRecord& b) {
  std::cout << "boot " << b.id << "  " << Rfc3339(b.info.started_at) << "  "
            << store::BootStateName(b.state);
  if (b.total_duration) std::cout << " in " << FormatMillis(Ms(*b.total_duration));
  std::cout << "  (" << b.info.strategy << ", pid " << b.info.pid << ", " << b.info.version
            << ")\n";
  if (!b.error.empty()) std::cout << "  error: " << b.error << "\n";
  auto chain = SlowestChain(b);
  if (!chain.empty()) {
    std::cout << "  slowest chain:";
    const char* sep = " ";
    for (const auto* c : chain) {
      double took = c->start_offset && c->end_offset ? Ms(*c->end_offset - *c->start_offset) : 0;
      std::cout << sep << c->name << " (" << FormatMillis(took) << ")";
      sep = " -> ";
    }
    std::cout << " = " << FormatMillis(Ms(*chain.back()->end_offset)) << "\n";
  }
  if (!b.checkpoints.empty()) {
    std::cout << "  checkpoints:";
    for (const auto& cp : b.checkpoints) {
      std::cout << " " << cp.name << "@" << FormatMillis(Ms(cp.offset));
    }
    std::cout << "\n";
  }
  Table table({"  COMPONENT", "STATE", "PHASE", "START", "END", "TOOK", "ATTEMPTS", "ERROR"});
  std::vector<const store::ComponentRecord*> rows;
  for (const auto& c : b.components) rows.push_back(&c);
  // The slowest first: by how long each took.
  auto took = [](const store::ComponentRecord* c) {
    return c->start_offset && c->end_offset ? (*c->end_offset - *c->start_offset).count() : -1;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](auto* a, auto* b2) { return took(a) > took(b2); });
  for (const auto* c : rows) {
    table.Add({"  " + c->name, c->state, c->phase,
               c->start_offset ? FormatMillis(Ms(*c->start_offset)) : "-",
               c->end_offset ? FormatMillis(Ms(*c->end_offset)) : "-",
               took(c) >= 0 ? FormatMillis(took(c) / 1000.0) : "-", std::to_string(c->attempts),
               c->error});
  }
  std::cout << table.Render();
  if (b.shutdown) {
    std::cout << "  stopped " << Rfc3339(b.shutdown->at)
              << (b.shutdown->clean ? " (clean)" : " (unclean)") << "\n";
  }
  std::cout << "\n";
}

}  // namespace

void AddBootsCommand(CLI::App& app, int& exit_code) {
  struct Options {
    ConfigFlags flags;
    int limit = 5;
    std::string output = "table";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "boots",
      "Show recent boots from the state store under the data dir (no daemon needed): outcome "
      "(ready, degraded, failed, interrupted, crashed), the slowest dependency chain, the "
      "checkpoints reached and each component's timeline. Newest first.");
  AddConfigFlags(*cmd, opts->flags);
  cmd->add_option("-n,--limit", opts->limit, "How many boots")->check(CLI::Range(1, 1000));
  cmd->add_option("-o,--output", opts->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->callback([opts, &exit_code] {
    auto loaded = LoadOrReport(ToLoadOptions(opts->flags), /*print_warnings=*/false);
    if (!loaded) {
      exit_code = kExitUsage;
      return;
    }
    const std::string& dir = loaded->config.system.data_dir;
    if (!std::filesystem::exists(std::filesystem::path(dir) / store::kSqliteFileName)) {
      std::cerr << "novacron: no boots recorded: no state store in " << dir
                << " (use --data-dir)\n";
      exit_code = kExitFailed;
      return;
    }
    auto opened = components::OpenStateStore(loaded->config);
    if (!opened.ok()) {
      std::cerr << "novacron: " << opened.status().ToString() << "\n";
      exit_code = kExitFailed;
      return;
    }
    auto boots = (*opened)->boots().ListBoots(opts->limit);
    if (!boots.ok()) {
      std::cerr << "novacron: " << boots.status().ToString() << "\n";
      exit_code = kExitFailed;
      return;
    }
    if (opts->output == "json") {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& b : *boots) items.push_back(BootJson(b));
      std::cout << nlohmann::json{{"items", items}}.dump(2) << "\n";
    } else {
      if (boots->empty()) std::cout << "no boots recorded in " << dir << "\n";
      for (const auto& b : *boots) PrintBoot(b);
    }
    exit_code = kExitOk;
  });
}

}  // namespace novacron::cli
