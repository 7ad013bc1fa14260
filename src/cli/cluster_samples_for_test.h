// For the CLI's tests: cluster API objects as the daemon answers them (GET /api/v1/nodes/{id},
// GET /api/v1/cluster, GET /api/v1/vms/{id}/placement), at a fixed "now".
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace novacron::cli {

inline constexpr int64_t kSampleNow = 1795608000;  // 2026-11-25T12:00:00Z

inline std::chrono::system_clock::time_point SampleNowPoint() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(kSampleNow));
}

// A leader node with labels, 6/16 vCPUs and 12288/65536 MiB, updated 12 s before now.
inline nlohmann::json SampleNode(const std::string& id, const std::string& state) {
  return {{"node_id", id},
          {"state", state},
          {"leader", true},
          {"api_address", "https://10.0.0.5:8080"},
          {"dwcp_address", "10.0.0.5:9090"},
          {"version", "0.9.0"},
          {"network_mode", "datacenter"},
          {"labels", {{"zone", "a"}, {"rack", "r1"}}},
          {"capacity", {{"vcpus", 16}, {"memory_mib", 65536}}},
          {"allocated", {{"vcpus", 6}, {"memory_mib", 12288}}},
          {"shared_storage", true},
          {"updated_at", kSampleNow - 12}};
}

// etcd mode, node-a joined and the leader (term 7); etcd endpoints: the leader, a member
// without a leader, and one that does not answer.
inline nlohmann::json SampleEtcdCluster() {
  using nlohmann::json;
  return {{"mode", "etcd"},
          {"node_id", "node-a"},
          {"joined", true},
          {"is_leader", true},
          {"leader", {{"node_id", "node-a"}, {"term", 7}}},
          {"leader_changes", 3},
          {"members", {{"ready", 2}, {"cordoned", 1}, {"lost", 0}}},
          {"revision", 1234},
          {"etcd", json::array({{{"endpoint", "http://10.0.0.1:2379"},
                                 {"reachable", true},
                                 {"has_leader", true},
                                 {"is_leader", true},
                                 {"revision", 1234},
                                 {"version", "3.5.9"},
                                 {"db_size_bytes", 2097152}},
                                {{"endpoint", "http://10.0.0.2:2379"},
                                 {"reachable", true},
                                 {"has_leader", false},
                                 {"is_leader", false},
                                 {"revision", 1230},
                                 {"version", "3.5.9"},
                                 {"db_size_bytes", 20480}},
                                {{"endpoint", "http://10.0.0.3:23790"},
                                 {"reachable", false},
                                 {"error", "connection refused"}}})},
          {"refreshed_at", kSampleNow - 2}};
}

// What a standalone daemon answers: itself, the only member and the leader.
inline nlohmann::json SampleStandaloneCluster() {
  return {{"mode", "standalone"},
          {"node_id", "node-a"},
          {"joined", true},
          {"is_leader", true},
          {"leader", {{"node_id", "node-a"}, {"term", 0}}},
          {"leader_changes", 0},
          {"members", {{"ready", 1}, {"cordoned", 0}, {"lost", 0}}},
          {"revision", 0}};
}

// VM "web" on node-a under pack: node-b is best, node-a and node-c feasible, node-d cordoned and
// node-e too small (in the daemon's order: best, feasible by score, rejected by node id).
inline nlohmann::json SamplePlacement() {
  using nlohmann::json;
  return {{"vm_id", "0f3c2a9e-1111-2222-3333-444455556666"},
          {"vm_name", "web"},
          {"node", "node-a"},
          {"strategy", "pack"},
          {"best", "node-b"},
          {"nodes", json::array({{{"node_id", "node-b"},
                                  {"feasible", true},
                                  {"score", 90.625},
                                  {"reason",
                                   "free after placing: vcpus 2 of 16, memory_mib 4096 "
                                   "of 65536"}},
                                 {{"node_id", "node-a"},
                                  {"feasible", true},
                                  {"score", 81.25},
                                  {"reason",
                                   "free after placing: vcpus 4 of 16, memory_mib 8192 "
                                   "of 65536"}},
                                 {{"node_id", "node-c"},
                                  {"feasible", true},
                                  {"score", 9.375},
                                  {"reason",
                                   "free after placing: vcpus 14 of 16, memory_mib "
                                   "61440 of 65536"}},
                                 {{"node_id", "node-d"},
                                  {"feasible", false},
                                  {"rejected_by", "state"},
                                  {"reason", "node is cordoned"}},
                                 {{"node_id", "node-e"},
                                  {"feasible", false},
                                  {"rejected_by", "capacity"},
                                  {"reason", "memory_mib: 2048 of 262144 free, 4096 needed"}}})}};
}

}  // namespace novacron::cli
