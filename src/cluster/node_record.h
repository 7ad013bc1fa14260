// What a node publishes about itself in etcd (docs/cluster.md, "Membership"): where to reach it,
// what it has and what it uses, its labels. Encoded as JSON under <prefix>nodes/<node_id>.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::cluster {

struct NodeResources {
  int64_t vcpus = 0;
  int64_t memory_mib = 0;
};

struct NodeRecord {
  std::string node_id{};
  std::string api_address{};   // "https://10.0.0.5:8080" or "127.0.0.1:8080"
  std::string dwcp_address{};  // "10.0.0.5:9090"
  std::string version{};
  std::string network_mode{};  // DWCP network mode
  std::map<std::string, std::string> labels{};
  NodeResources capacity{};     // what placement may fill, overcommit applied
  NodeResources allocated{};    // what this node's VMs take
  bool shared_storage = false;  // HA VMs' disks are reachable from here (docs/cluster.md)
  int64_t updated_at = 0;       // unix seconds of the last publish
};

enum class MemberState { kReady, kCordoned, kLost };
std::string_view MemberStateName(MemberState state);

std::string EncodeNodeRecord(const NodeRecord& record);
// Refuses malformed JSON or a record without node_id, naming the key it came from.
Result<NodeRecord> DecodeNodeRecord(std::string_view json, std::string_view key);

// [A-Za-z0-9._-]{1,63}: node ids become etcd key segments.
bool IsValidNodeId(std::string_view id);

}  // namespace novacron::cluster
