// GET /api/v1/node: the host, its capacity and how many VMs are in each state.
// GET /api/v1/node/domains: every domain the hypervisor has, with its power state.
#pragma once

#include "api/api_v1.h"
#include "http/router.h"

namespace novacron::api {

http::Handler NodeHandler(ApiV1DepsPtr deps);
http::Handler NodeDomainsHandler(ApiV1DepsPtr deps);

}  // namespace novacron::api
