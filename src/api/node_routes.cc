#include "api/node_routes.h"

#include <nlohmann/json.hpp>
#include <variant>

#include "api/problem.h"
#include "api/request_input.h"
#include "api/vm_codec.h"

namespace novacron::api {

http::Handler NodeHandler(ApiV1DepsPtr deps) {
  return [deps](const http::Request& request) {
    auto params = ParseQuery(request.query, {});
    if (auto* problem = std::get_if<http::Response>(&params)) return *problem;
    Result<vm::NodeView> node = deps->manager->Node();
    if (!node.ok()) return StatusResponse(node.status(), deps->log);
    return http::Response::Json(200, DumpJson(NodeToJson(*node)));
  };
}

http::Handler NodeDomainsHandler(ApiV1DepsPtr deps) {
  return [deps](const http::Request& request) {
    auto params = ParseQuery(request.query, {});
    if (auto* problem = std::get_if<http::Response>(&params)) return *problem;
    Result<std::vector<vm::DomainStatus>> domains = deps->manager->Domains();
    if (!domains.ok()) return StatusResponse(domains.status(), deps->log);
    nlohmann::json items = nlohmann::json::array();
    for (const vm::DomainStatus& d : *domains) {
      items.push_back({{"uuid", d.uuid},
                       {"name", d.name},
                       {"power", vm::PowerStateName(d.power)},
                       {"vcpus", d.vcpus},
                       {"memory_mib", d.memory_mib}});
    }
    return http::Response::Json(200, DumpJson(nlohmann::json{{"items", std::move(items)}}));
  };
}

}  // namespace novacron::api
