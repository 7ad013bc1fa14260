// The daemon's own HTTP routes: health probes (/health/live, /health/ready, /health/startup,
// /health/status and the aliases /live, /ready, /health), /metrics, and /api/v1/components.
#pragma once

#include <chrono>
#include <string>

#include "http/router.h"
#include "lifecycle/engine.h"
#include "observe/metrics.h"

namespace novacron::components {

struct HealthRouteContext {
  lifecycle::Engine* engine = nullptr;
  observe::Registry* metrics = nullptr;
  // novacron_component_healthy{component}: refreshed from the engine at every scrape.
  observe::GaugeFamily* component_healthy = nullptr;
  std::string node_id;
  std::string version;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// Registers the routes on `router`. `context` must outlive the server.
void AddHealthRoutes(http::Router& router, const HealthRouteContext& context);

// One component as JSON, the shape used by /health/status and /api/v1/components.
std::string ComponentSnapshotJson(const lifecycle::ComponentSnapshot& component);

}  // namespace novacron::components
