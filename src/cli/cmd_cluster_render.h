// How `novacron node list|show`, `novacron cluster status` and `novacron vm placement` print the
// objects of the cluster API (GET /api/v1/nodes, /api/v1/nodes/{id}, /api/v1/cluster,
// /api/v1/vms/{id}/placement) for people; -o json prints them as received.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace novacron::cli {

// "6/16": the node's `allocated` over its `capacity` of `resource` (vcpus, memory_mib).
std::string UsageCell(const nlohmann::json& node, const char* resource);

// "512 B", "20.0 KiB", "2.0 MiB", "1.5 GiB".
std::string FormatBytes(int64_t bytes);

// NODE STATE LEADER VCPUS MEMORY(MiB) API VERSION UPDATED LABELS, one row per node of `items`.
std::string RenderNodeTable(const nlohmann::json& items, std::chrono::system_clock::time_point now);
// "Node:  node-a\nState: ready...": every field of one node.
std::string RenderNodeDetails(const nlohmann::json& node,
                              std::chrono::system_clock::time_point now);

// Whether `novacron cluster status` succeeds: this node joined and a leader exists.
bool ClusterHealthy(const nlohmann::json& cluster);
// Mode, this node, the leader, members by state, and in etcd mode each endpoint's health.
std::string RenderClusterStatus(const nlohmann::json& cluster,
                                std::chrono::system_clock::time_point now);

// "vm web (ID) is on node n1; placement (pack) would choose n2 now" ("is not placed yet", "no node
// can take it now" when `best` is null), then NODE VERDICT SCORE FILTER REASON, one row per node
// in the order received (the best first). VERDICT: "best" for the node placement would choose,
// "feasible" for the others that pass every filter, "rejected".
std::string RenderVmPlacement(const nlohmann::json& placement);

}  // namespace novacron::cli
