// Handlers of the /api/v1/vms routes. Each parses and checks its input completely before it calls
// the manager, so a refused request changes nothing.
#pragma once

#include "api/api_v1.h"
#include "http/router.h"
#include "vm/manager.h"

namespace novacron::api {

http::Handler ListVmsHandler(ApiV1DepsPtr deps);   // GET    /api/v1/vms
http::Handler CreateVmHandler(ApiV1DepsPtr deps);  // POST   /api/v1/vms
http::Handler GetVmHandler(ApiV1DepsPtr deps);     // GET    /api/v1/vms/{id}
http::Handler PatchVmHandler(ApiV1DepsPtr deps);   // PATCH  /api/v1/vms/{id}
http::Handler DeleteVmHandler(ApiV1DepsPtr deps);  // DELETE /api/v1/vms/{id}

enum class VmActionRoute { kStart, kStop, kShutdown, kReboot };
// POST /api/v1/vms/{id}/start|stop|shutdown|reboot
http::Handler VmActionHandler(ApiV1DepsPtr deps, VmActionRoute action);

}  // namespace novacron::api
