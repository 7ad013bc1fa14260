#include "api/node_routes.h"

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

}  // namespace novacron::api
