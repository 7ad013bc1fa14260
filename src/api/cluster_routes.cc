#include "api/cluster_routes.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/vm_codec.h"

namespace novacron::api {
namespace {

using nlohmann::json;
using DepsPtr = std::shared_ptr<const ClusterRoutesDeps>;

json ResourcesJson(const cluster::NodeResources& r) {
  return {{"vcpus", r.vcpus}, {"memory_mib", r.memory_mib}};
}

json MemberJson(const cluster::Member& member, bool leader) {
  const cluster::NodeRecord& r = member.record;
  return {{"node_id", r.node_id},
          {"state", std::string(cluster::MemberStateName(member.state))},
          {"leader", leader},
          {"api_address", r.api_address},
          {"dwcp_address", r.dwcp_address},
          {"version", r.version},
          {"network_mode", r.network_mode},
          {"labels", r.labels},
          {"capacity", ResourcesJson(r.capacity)},
          {"allocated", ResourcesJson(r.allocated)},
          {"shared_storage", r.shared_storage},
          {"updated_at", r.updated_at}};
}

// The members as the API shows them: from the agent's view, or this node alone.
Result<cluster::ClusterView> CurrentView(const ClusterRoutesDeps& deps) {
  if (deps.agent != nullptr) return deps.agent->View();
  cluster::ClusterView view;
  NOVACRON_ASSIGN_OR_RETURN(cluster::NodeRecord self, deps.self());
  self.node_id = deps.node_id;
  view.joined = true;
  view.is_leader = true;
  view.leader = cluster::Leadership{deps.node_id, 0, 0};
  view.members.members.push_back({std::move(self), cluster::MemberState::kReady, 0});
  return view;
}

bool IsLeader(const cluster::ClusterView& view, const std::string& id) {
  return view.leader && view.leader->node_id == id;
}

http::Response ClusterHandler(const DepsPtr& deps) {
  Result<cluster::ClusterView> view = CurrentView(*deps);
  if (!view.ok()) return StatusResponse(view.status(), deps->log);
  json counts = {{"ready", 0}, {"cordoned", 0}, {"lost", 0}};
  for (const cluster::Member& m : view->members.members) {
    counts[std::string(cluster::MemberStateName(m.state))] =
        counts[std::string(cluster::MemberStateName(m.state))].get<int>() + 1;
  }
  json body = {{"mode", deps->agent != nullptr ? "etcd" : "standalone"},
               {"node_id", deps->node_id},
               {"joined", view->joined},
               {"is_leader", view->is_leader},
               {"leader", view->leader ? json{{"node_id", view->leader->node_id},
                                              {"term", view->leader->term}}
                                       : json(nullptr)},
               {"leader_changes", view->leader_changes},
               {"members", counts},
               {"revision", view->members.revision}};
  if (deps->agent != nullptr) {
    json etcd = json::array();
    if (deps->etcd_health) {
      for (const cluster::EndpointStatus& s : deps->etcd_health()) {
        json e = {{"endpoint", s.endpoint}, {"reachable", s.reachable}};
        if (s.reachable) {
          e["has_leader"] = s.leader_id != 0;
          e["is_leader"] = s.leader_id != 0 && s.leader_id == s.member_id;
          e["revision"] = s.revision;
          e["version"] = s.version;
          e["db_size_bytes"] = s.db_size;
        } else {
          e["error"] = s.error;
        }
        etcd.push_back(std::move(e));
      }
    }
    body["etcd"] = std::move(etcd);
    body["refreshed_at"] =
        std::chrono::duration_cast<std::chrono::seconds>(view->refreshed_at.time_since_epoch())
            .count();
    if (!view->error.empty()) body["error"] = view->error;
  }
  return http::Response::Json(200, DumpJson(body));
}

http::Response NodesHandler(const DepsPtr& deps) {
  Result<cluster::ClusterView> view = CurrentView(*deps);
  if (!view.ok()) return StatusResponse(view.status(), deps->log);
  json items = json::array();
  for (const cluster::Member& m : view->members.members) {
    items.push_back(MemberJson(m, IsLeader(*view, m.record.node_id)));
  }
  return http::Response::Json(200, DumpJson(json{{"items", std::move(items)}}));
}

// One node from `view`, or a 404 problem.
http::Response NodeResponse(const cluster::ClusterView& view, const std::string& id,
                            const observe::Logger& log) {
  for (const cluster::Member& m : view.members.members) {
    if (m.record.node_id == id) {
      return http::Response::Json(200, DumpJson(MemberJson(m, IsLeader(view, id))));
    }
  }
  return StatusResponse(NotFound("node " + id + " is not a member of this cluster"), log);
}

http::Response CordonHandler(const DepsPtr& deps, const http::Request& request, bool cordon) {
  const std::string id(request.Param("id"));
  if (deps->agent == nullptr) {
    return StatusResponse(
        FailedPrecondition("cordon needs cluster.mode etcd: a standalone node places every VM "
                           "on itself"),
        deps->log);
  }
  Status set = deps->agent->membership().SetCordoned(id, cordon);
  if (!set.ok()) return StatusResponse(set, deps->log);
  deps->agent->Refresh();
  Result<cluster::MemberList> members = deps->agent->membership().List();
  if (!members.ok()) return StatusResponse(members.status(), deps->log);
  cluster::ClusterView view = deps->agent->View();
  view.members = std::move(members).value();
  return NodeResponse(view, id, deps->log);
}

http::Response PlacementHandler(const DepsPtr& deps, const http::Request& request) {
  const std::string id(request.Param("id"));
  if (!deps->explain_placement) {
    return StatusResponse(FailedPrecondition("placement needs cluster.mode etcd: a standalone "
                                             "node runs every VM itself"),
                          deps->log);
  }
  Result<cluster::PlacementExplanation> explained = deps->explain_placement(id);
  if (!explained.ok()) return StatusResponse(explained.status(), deps->log);
  json nodes = json::array();
  for (const cluster::NodeVerdict& v : explained->decision.verdicts) {
    json node = {{"node_id", v.node_id}, {"feasible", v.feasible}, {"reason", v.reason}};
    if (v.feasible) {
      node["score"] = v.score;
    } else {
      node["rejected_by"] = v.rejected_by;
    }
    nodes.push_back(std::move(node));
  }
  json body = {
      {"vm_id", explained->vm_id},
      {"vm_name", explained->vm_name},
      {"node", explained->owner},
      {"strategy", explained->strategy},
      {"best", explained->decision.node_id ? json(*explained->decision.node_id) : json(nullptr)},
      {"nodes", std::move(nodes)}};
  return http::Response::Json(200, DumpJson(body));
}

}  // namespace

void AddClusterRoutes(http::Router& router, ClusterRoutesDeps deps) {
  auto shared = std::make_shared<const ClusterRoutesDeps>(std::move(deps));
  router.Get("/api/v1/cluster", [shared](const http::Request&) { return ClusterHandler(shared); });
  router.Get("/api/v1/nodes", [shared](const http::Request&) { return NodesHandler(shared); });
  router.Get("/api/v1/nodes/{id}", [shared](const http::Request& request) {
    Result<cluster::ClusterView> view = CurrentView(*shared);
    if (!view.ok()) return StatusResponse(view.status(), shared->log);
    return NodeResponse(*view, std::string(request.Param("id")), shared->log);
  });
  router.Get("/api/v1/vms/{id}/placement",
             [shared](const http::Request& request) { return PlacementHandler(shared, request); });
  router.Post("/api/v1/nodes/{id}/cordon", [shared](const http::Request& request) {
    return CordonHandler(shared, request, true);
  });
  router.Post("/api/v1/nodes/{id}/uncordon", [shared](const http::Request& request) {
    return CordonHandler(shared, request, false);
  });
}

}  // namespace novacron::api
