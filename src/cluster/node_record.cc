#include "cluster/node_record.h"

#include <nlohmann/json.hpp>

namespace novacron::cluster {
namespace {

using nlohmann::json;

json ToJson(const NodeResources& r) { return {{"vcpus", r.vcpus}, {"memory_mib", r.memory_mib}}; }

NodeResources ResourcesFrom(const json& j) {
  NodeResources r;
  if (!j.is_object()) return r;
  r.vcpus = j.value("vcpus", int64_t{0});
  r.memory_mib = j.value("memory_mib", int64_t{0});
  return r;
}

}  // namespace

std::string_view MemberStateName(MemberState state) {
  switch (state) {
    case MemberState::kReady:
      return "ready";
    case MemberState::kCordoned:
      return "cordoned";
    case MemberState::kLost:
      return "lost";
  }
  return "lost";
}

std::string EncodeNodeRecord(const NodeRecord& record) {
  json j = {{"node_id", record.node_id},
            {"api_address", record.api_address},
            {"dwcp_address", record.dwcp_address},
            {"version", record.version},
            {"network_mode", record.network_mode},
            {"labels", record.labels},
            {"capacity", ToJson(record.capacity)},
            {"allocated", ToJson(record.allocated)},
            {"shared_storage", record.shared_storage},
            {"updated_at", record.updated_at}};
  return j.dump();
}

Result<NodeRecord> DecodeNodeRecord(std::string_view text, std::string_view key) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return InvalidArgument("etcd key " + std::string(key) + ": not a JSON object");
  try {
    NodeRecord record;
    record.node_id = j.value("node_id", std::string());
    if (!IsValidNodeId(record.node_id)) {
      return InvalidArgument("etcd key " + std::string(key) + ": bad or missing node_id");
    }
    record.api_address = j.value("api_address", std::string());
    record.dwcp_address = j.value("dwcp_address", std::string());
    record.version = j.value("version", std::string());
    record.network_mode = j.value("network_mode", std::string());
    if (j.contains("labels") && j["labels"].is_object()) {
      record.labels = j["labels"].get<std::map<std::string, std::string>>();
    }
    record.capacity = ResourcesFrom(j.value("capacity", json::object()));
    record.allocated = ResourcesFrom(j.value("allocated", json::object()));
    record.shared_storage = j.value("shared_storage", false);
    record.updated_at = j.value("updated_at", int64_t{0});
    return record;
  } catch (const json::exception& e) {
    return InvalidArgument("etcd key " + std::string(key) + ": " + e.what());
  }
}

bool IsValidNodeId(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return id != "." && id != "..";
}

}  // namespace novacron::cluster
