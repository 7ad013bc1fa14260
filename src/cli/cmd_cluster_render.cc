#include "cli/cmd_cluster_render.h"

#include <cstdio>
#include <iterator>
#include <optional>
#include <vector>

#include "cli/cmd_vm_api_client.h"
#include "cli/cmd_vm_render.h"
#include "cli/table.h"
#include "security/certificate.h"

namespace novacron::cli {

namespace {

using nlohmann::json;

// The member `key` of an object; nullptr when `j` is not an object or has none.
const json* Find(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// The object member `key`; an empty object when absent or not an object.
const json& Member(const json& j, const char* key) {
  static const json kEmpty = json::object();
  const json* member = Find(j, key);
  return member != nullptr && member->is_object() ? *member : kEmpty;
}

bool Flag(const json& j, const char* key) {
  return j.is_object() && j.value(key, json(false)) == true;
}

// A member holding unix seconds (> 0) as a time point.
std::optional<std::chrono::system_clock::time_point> UnixTime(const json& j, const char* key) {
  const json* seconds = Find(j, key);
  if (seconds == nullptr || !seconds->is_number_integer() || seconds->get<int64_t>() <= 0) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds->get<int64_t>()));
}

// "5s" since unix seconds `key`, "-" when absent.
std::string AgeCell(const json& j, const char* key, std::chrono::system_clock::time_point now) {
  auto time = UnixTime(j, key);
  return time ? FormatAge(*time, now) : "-";
}

// "2026-11-25T11:59:48Z (12s ago)", "-" when absent.
std::string TimeText(const json& j, const char* key, std::chrono::system_clock::time_point now) {
  auto time = UnixTime(j, key);
  return time ? security::FormatUtc(*time) + " (" + FormatAge(*time, now) + " ago)" : "-";
}

// "6 of 16 allocated", with `unit` after both numbers.
std::string UsageText(const json& node, const char* resource, const std::string& unit) {
  return JsonScalar(Member(node, "allocated"), resource) + unit + " of " +
         JsonScalar(Member(node, "capacity"), resource) + unit + " allocated";
}

// "healthy", "no leader" or "unreachable".
std::string EndpointHealth(const json& endpoint) {
  if (!Flag(endpoint, "reachable")) return "unreachable";
  return Flag(endpoint, "has_leader") ? "healthy" : "no leader";
}

std::string RenderEtcdTable(const json& endpoints) {
  bool errors = false;
  for (const json& e : endpoints) errors = errors || !JsonString(e, "error").empty();
  std::vector<std::string> header = {"ETCD ENDPOINT", "HEALTH",   "LEADER",
                                     "VERSION",       "REVISION", "DB SIZE"};
  if (errors) header.push_back("ERROR");
  Table table(std::move(header));
  for (const json& e : endpoints) {
    const json* db_size = Find(e, "db_size_bytes");
    std::vector<std::string> row = {JsonString(e, "endpoint"),
                                    EndpointHealth(e),
                                    Flag(e, "is_leader") ? "*" : "",
                                    JsonScalar(e, "version"),
                                    JsonScalar(e, "revision"),
                                    db_size != nullptr && db_size->is_number_integer()
                                        ? FormatBytes(db_size->get<int64_t>())
                                        : "-"};
    if (errors) row.push_back(JsonString(e, "error"));
    table.Add(std::move(row));
  }
  return table.Render();
}

std::string PlacementHeadline(const json& placement) {
  const std::string name = JsonString(placement, "vm_name");
  const std::string id = JsonString(placement, "vm_id");
  std::string out = "vm ";
  if (name.empty()) {
    out += id.empty() ? "-" : id;
  } else {
    out += id.empty() ? name : name + " (" + id + ")";
  }
  const std::string node = JsonString(placement, "node");
  out += node.empty() ? " is not placed yet" : " is on node " + node;
  const std::string best = JsonString(placement, "best");
  if (best.empty()) return out + "; no node can take it now";
  return out + "; placement (" + JsonScalar(placement, "strategy") + ") would choose " + best +
         " now";
}

// "73.5"; "-" without a numeric score.
std::string ScoreCell(const json& verdict) {
  const json* score = Find(verdict, "score");
  if (score == nullptr || !score->is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", score->get<double>());
  return buf;
}

}  // namespace

std::string UsageCell(const json& node, const char* resource) {
  return JsonScalar(Member(node, "allocated"), resource) + "/" +
         JsonScalar(Member(node, "capacity"), resource);
}

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
  return buf;
}

std::string RenderNodeTable(const json& items, std::chrono::system_clock::time_point now) {
  Table table(
      {"NODE", "STATE", "LEADER", "VCPUS", "MEMORY(MiB)", "API", "VERSION", "UPDATED", "LABELS"});
  for (const json& node : items) {
    table.Add({JsonString(node, "node_id"), JsonScalar(node, "state"),
               Flag(node, "leader") ? "*" : "", UsageCell(node, "vcpus"),
               UsageCell(node, "memory_mib"), JsonScalar(node, "api_address"),
               JsonScalar(node, "version"), AgeCell(node, "updated_at", now),
               FormatLabels(Member(node, "labels"))});
  }
  return table.Render();
}

std::string RenderNodeDetails(const json& node, std::chrono::system_clock::time_point now) {
  DetailList out;
  out.Add("Node", JsonString(node, "node_id"));
  out.Add("State", JsonScalar(node, "state"));
  out.Add("Leader", Flag(node, "leader") ? "yes" : "no");
  out.Add("API address", JsonScalar(node, "api_address"));
  out.Add("DWCP address", JsonScalar(node, "dwcp_address"));
  out.Add("Version", JsonScalar(node, "version"));
  out.Add("Network mode", JsonScalar(node, "network_mode"));
  out.Add("VCPUs", UsageText(node, "vcpus", ""));
  out.Add("Memory", UsageText(node, "memory_mib", " MiB"));
  out.Add("Shared storage", Flag(node, "shared_storage") ? "yes" : "no");
  out.Add("Labels", FormatLabels(Member(node, "labels")));
  out.Add("Updated", TimeText(node, "updated_at", now));
  return out.Render();
}

bool ClusterHealthy(const json& cluster) {
  return Flag(cluster, "joined") && !JsonString(Member(cluster, "leader"), "node_id").empty();
}

std::string RenderClusterStatus(const json& cluster, std::chrono::system_clock::time_point now) {
  const bool etcd = JsonString(cluster, "mode") == "etcd";
  DetailList out;
  out.Add("Mode", etcd ? "etcd"
                       : JsonScalar(cluster, "mode") +
                             " (no etcd: this node is the only member and its own leader)");
  out.Add("Node", JsonScalar(cluster, "node_id") + " (" +
                      (Flag(cluster, "joined") ? "joined" : "not joined") +
                      (Flag(cluster, "is_leader") ? ", the leader)" : ")"));
  const json& leader = Member(cluster, "leader");
  std::string leader_text = JsonString(leader, "node_id");
  if (leader_text.empty()) {
    leader_text = "none";
  } else if (etcd) {
    leader_text += " (term " + JsonScalar(leader, "term") + ")";
  }
  out.Add("Leader", leader_text);
  out.Add("Leader changes", JsonScalar(cluster, "leader_changes"));
  const json& members = Member(cluster, "members");
  out.Add("Members", JsonScalar(members, "ready") + " ready, " + JsonScalar(members, "cordoned") +
                         " cordoned, " + JsonScalar(members, "lost") + " lost");
  if (etcd) {
    out.Add("Revision", JsonScalar(cluster, "revision"));
    out.Add("Refreshed", TimeText(cluster, "refreshed_at", now));
  }
  if (!JsonString(cluster, "error").empty()) out.Add("Error", JsonString(cluster, "error"));
  std::string text = out.Render();
  const json* endpoints = Find(cluster, "etcd");
  if (endpoints != nullptr && endpoints->is_array() && !endpoints->empty()) {
    text += "\n" + RenderEtcdTable(*endpoints);
  }
  return text;
}

std::string RenderVmPlacement(const json& placement) {
  std::string out = PlacementHeadline(placement) + "\n";
  const json* nodes = Find(placement, "nodes");
  if (nodes == nullptr || !nodes->is_array() || nodes->empty()) return out + "no nodes\n";
  const std::string best = JsonString(placement, "best");
  bool best_shown = false;
  Table table({"NODE", "VERDICT", "SCORE", "FILTER", "REASON"});
  for (const json& verdict : *nodes) {
    const std::string node_id = JsonString(verdict, "node_id");
    const bool feasible = Flag(verdict, "feasible");
    std::string verdict_text = "rejected";
    if (feasible) {
      verdict_text = !best_shown && !best.empty() && node_id == best ? "best" : "feasible";
      best_shown = best_shown || verdict_text == "best";
    }
    std::string filter = feasible ? "" : JsonString(verdict, "rejected_by");
    table.Add({node_id.empty() ? "-" : node_id, verdict_text, feasible ? ScoreCell(verdict) : "-",
               filter.empty() ? "-" : filter, JsonScalar(verdict, "reason")});
  }
  return out + table.Render();
}

}  // namespace novacron::cli
