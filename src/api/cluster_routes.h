// The cluster routes (docs/api.md, "Cluster"): GET /api/v1/cluster, GET /api/v1/nodes,
// GET /api/v1/nodes/{id}, POST /api/v1/nodes/{id}/cordon and /uncordon, and
// GET /api/v1/vms/{id}/placement. The same routes answer
// in both modes: standalone, the node is the only member and its own leader, and cordon is
// refused (409) because there is no placement to steer.
#pragma once

#include <functional>
#include <vector>

#include "cluster/cluster_agent.h"
#include "cluster/etcd_client.h"
#include "cluster/leader_plan.h"
#include "common/status.h"
#include "http/router.h"
#include "observe/log.h"

namespace novacron::api {

struct ClusterRoutesDeps {
  std::string node_id{};
  // Null in standalone mode.
  cluster::ClusterAgent* agent = nullptr;
  // etcd mode: every endpoint's status (for /api/v1/cluster).
  std::function<std::vector<cluster::EndpointStatus>()> etcd_health{};
  // etcd mode: explains a VM's placement (the orchestrator's ExplainPlacement).
  std::function<Result<cluster::PlacementExplanation>(const std::string&)> explain_placement{};
  // This node's record, for standalone mode.
  std::function<Result<cluster::NodeRecord>()> self{};
  observe::Logger log = observe::Logger::Discard();
};

void AddClusterRoutes(http::Router& router, ClusterRoutesDeps deps);

}  // namespace novacron::api
