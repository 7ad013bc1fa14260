#include "api/api_v1.h"

#include <memory>
#include <utility>

#include "api/idempotency.h"
#include "api/node_routes.h"
#include "api/openapi_document.h"
#include "api/vm_routes.h"

namespace novacron::api {
namespace {

struct RouteDef {
  RouteInfo route;
  bool idempotent_post = false;  // honours Idempotency-Key
  bool authenticated = true;
  http::Handler (*make)(ApiV1DepsPtr) = nullptr;
};

template <VmActionRoute kAction>
http::Handler MakeAction(ApiV1DepsPtr deps) {
  return VmActionHandler(std::move(deps), kAction);
}

http::Handler MakeOpenApi(ApiV1DepsPtr) { return OpenApiHandler(); }

// The one list of routes: registration and ApiV1Routes() both read it.
const std::vector<RouteDef>& RouteDefs() {
  static const std::vector<RouteDef> kDefs = {
      {{"GET", "/api/v1/vms"}, false, true, &ListVmsHandler},
      {{"POST", "/api/v1/vms"}, true, true, &CreateVmHandler},
      {{"GET", "/api/v1/vms/{id}"}, false, true, &GetVmHandler},
      {{"PATCH", "/api/v1/vms/{id}"}, false, true, &PatchVmHandler},
      {{"DELETE", "/api/v1/vms/{id}"}, false, true, &DeleteVmHandler},
      {{"POST", "/api/v1/vms/{id}/start"}, true, true, &MakeAction<VmActionRoute::kStart>},
      {{"POST", "/api/v1/vms/{id}/stop"}, true, true, &MakeAction<VmActionRoute::kStop>},
      {{"POST", "/api/v1/vms/{id}/shutdown"}, true, true, &MakeAction<VmActionRoute::kShutdown>},
      {{"POST", "/api/v1/vms/{id}/reboot"}, true, true, &MakeAction<VmActionRoute::kReboot>},
      {{"GET", "/api/v1/node"}, false, true, &NodeHandler},
      {{"GET", "/api/v1/node/domains"}, false, true, &NodeDomainsHandler},
      {{"GET", "/api/v1/openapi.json"}, false, false, &MakeOpenApi},
  };
  return kDefs;
}

http::Handler WithAuthentication(http::Handler handler, Authenticator authenticate) {
  if (!authenticate) return handler;
  return [handler = std::move(handler),
          authenticate = std::move(authenticate)](const http::Request& request) {
    if (std::optional<http::Response> refused = authenticate(request)) return *refused;
    return handler(request);
  };
}

// Marks the answers of a GET as possibly stale while the store says so.
http::Handler WithStaleWarning(http::Handler handler, std::function<bool()> reads_stale) {
  if (!reads_stale) return handler;
  return [handler = std::move(handler),
          reads_stale = std::move(reads_stale)](const http::Request& request) {
    http::Response response = handler(request);
    if (reads_stale()) {
      response.headers.Set("Warning",
                           "110 - \"etcd has no quorum: answered from the last known state\"");
    }
    return response;
  };
}

}  // namespace

const std::vector<RouteInfo>& ApiV1Routes() {
  static const std::vector<RouteInfo> kRoutes = [] {
    std::vector<RouteInfo> routes;
    for (const RouteDef& def : RouteDefs()) routes.push_back(def.route);
    return routes;
  }();
  return kRoutes;
}

void AddApiV1Routes(http::Router& router, const ApiV1Deps& deps) {
  ApiV1Deps with_cache = deps;
  if (!with_cache.list_cache) with_cache.list_cache = std::make_shared<ListCache>();
  auto shared = std::make_shared<const ApiV1Deps>(std::move(with_cache));
  for (const RouteDef& def : RouteDefs()) {
    http::Handler handler = def.make(shared);
    // Idempotency inside authentication: an unauthenticated client cannot probe stored keys.
    if (def.idempotent_post)
      handler = WithIdempotency(std::move(handler), deps.idempotency, deps.log);
    if (def.route.method == "GET") handler = WithStaleWarning(std::move(handler), deps.reads_stale);
    if (def.authenticated) handler = WithAuthentication(std::move(handler), deps.authenticate);
    router.Handle(def.route.method, def.route.pattern, std::move(handler));
  }
}

}  // namespace novacron::api
