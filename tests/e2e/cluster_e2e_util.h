// What the cluster end-to-end tests share: a daemon's environment for cluster mode and polling
// the API until an answer satisfies a condition.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"

namespace novacron::testing {

// cluster.mode etcd on `endpoints` with a short lease, as node `node_id`, under `prefix`.
inline std::map<std::string, std::string> ClusterEnv(const std::string& node_id,
                                                     const std::vector<std::string>& endpoints,
                                                     int lease_ttl_seconds,
                                                     const std::string& prefix) {
  std::string joined;
  for (const std::string& e : endpoints) joined += (joined.empty() ? "" : ",") + e;
  return {{"NOVACRON_CLUSTER_MODE", "etcd"},
          {"NOVACRON_CLUSTER_ETCD_ENDPOINTS", joined},
          {"NOVACRON_CLUSTER_LEASE_TTL", std::to_string(lease_ttl_seconds) + "s"},
          {"NOVACRON_CLUSTER_PREFIX", prefix},
          {"NOVACRON_SYSTEM_NODE_ID", node_id},
          {"NOVACRON_NETWORK_BIND_PORT", "0"}};
}

// Polls GET `target` on `port` until `done(body)`: that body, or nullopt after `limit`.
template <typename Predicate>
std::optional<nlohmann::json> PollJson(uint16_t port, const std::string& target, Predicate done,
                                       std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    HttpResult got = HttpGet(port, target);
    if (got.status == 200) {
      nlohmann::json body = nlohmann::json::parse(got.body, nullptr, false);
      if (!body.is_discarded() && done(body)) return body;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

}  // namespace novacron::testing
