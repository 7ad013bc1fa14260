#include "components/health_routes.h"

#include <nlohmann/json.hpp>

#include "http/response.h"

namespace novacron::components {
namespace {

using lifecycle::ComponentSnapshot;
using lifecycle::EngineSnapshot;
using nlohmann::json;

json ComponentJson(const ComponentSnapshot& c) {
  json j = {
      {"name", c.name},
      {"state", lifecycle::ComponentStateName(c.state)},
      {"criticality", lifecycle::CriticalityName(c.criticality)},
      {"phase", lifecycle::PhaseName(c.phase)},
      {"dependencies", c.dependencies},
      {"lazy", c.lazy},
      {"attempts", c.attempts},
      {"duration_ms", lifecycle::ToMillis(c.duration)},
      {"health",
       {{"state", lifecycle::HealthStateName(c.health.state)}, {"detail", c.health.detail}}},
  };
  if (!c.last_error.ok()) j["error"] = c.last_error.ToString();
  return j;
}

std::string OverallStatus(const EngineSnapshot& s) {
  if (!s.live) return "failed";
  if (!s.startup_complete) return "starting";
  if (!s.ready) return "not_ready";
  return s.degraded ? "degraded" : "ready";
}

http::Response JsonResponse(int status, const json& body) {
  return http::Response::Json(status, body.dump());
}

// 200 when `ok`, 503 otherwise; the body says which critical components hold it back.
http::Response Probe(bool ok, const char* name, const EngineSnapshot& snapshot) {
  json body = {{"status", ok ? "ok" : "unavailable"}, {"probe", name}};
  if (!ok) {
    json waiting = json::array();
    for (const auto& c : snapshot.components) {
      bool running_healthy = c.state == lifecycle::ComponentState::kRunning &&
                             c.health.state != lifecycle::HealthReport::kUnhealthy;
      if (c.criticality == lifecycle::Criticality::kCritical && !c.lazy && !running_healthy) {
        waiting.push_back({{"name", c.name}, {"state", lifecycle::ComponentStateName(c.state)}});
      }
    }
    body["waiting_for"] = waiting;
  }
  http::Response response = JsonResponse(ok ? 200 : 503, body);
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

}  // namespace

std::string ComponentSnapshotJson(const ComponentSnapshot& component) {
  return ComponentJson(component).dump();
}

void AddHealthRoutes(http::Router& router, const HealthRouteContext& ctx) {
  const HealthRouteContext* c = &ctx;
  auto live = [c](const http::Request&) {
    return Probe(c->engine->Live(), "live", c->engine->Snapshot());
  };
  auto ready = [c](const http::Request&) {
    EngineSnapshot s = c->engine->Snapshot();
    return Probe(s.ready, "ready", s);
  };
  auto startup = [c](const http::Request&) {
    EngineSnapshot s = c->engine->Snapshot();
    return Probe(s.startup_complete, "startup", s);
  };
  auto status = [c](const http::Request&) {
    EngineSnapshot s = c->engine->Snapshot();
    json components = json::array();
    for (const auto& comp : s.components) components.push_back(ComponentJson(comp));
    json body = {
        {"status", OverallStatus(s)},
        {"live", s.live},
        {"ready", s.ready},
        {"startup_complete", s.startup_complete},
        {"degraded", s.degraded},
        {"node_id", c->node_id},
        {"version", c->version},
        {"uptime_seconds",
         std::chrono::duration<double>(std::chrono::steady_clock::now() - c->started).count()},
        {"components", components},
    };
    http::Response response = JsonResponse(s.ready ? 200 : 503, body);
    response.headers.Set("Cache-Control", "no-store");
    return response;
  };
  router.Get("/health/live", live).Get("/live", live);
  router.Get("/health/ready", ready).Get("/ready", ready);
  router.Get("/health/startup", startup);
  router.Get("/health/status", status).Get("/health", status);

  router.Get("/metrics", [c](const http::Request&) {
    if (c->component_healthy != nullptr) {
      for (const auto& comp : c->engine->Snapshot().components) {
        bool healthy = comp.state == lifecycle::ComponentState::kRunning &&
                       comp.health.state != lifecycle::HealthReport::kUnhealthy;
        c->component_healthy->WithLabels({comp.name}).Set(healthy ? 1 : 0);
      }
    }
    http::Response response;
    response.body = c->metrics->Render();
    response.headers.Set("Content-Type", observe::kPrometheusContentType);
    return response;
  });

  router.Get("/api/v1/components", [c](const http::Request&) {
    json items = json::array();
    for (const auto& comp : c->engine->Snapshot().components) items.push_back(ComponentJson(comp));
    return JsonResponse(200, {{"items", items}});
  });
  router.Get("/api/v1/components/{name}", [c](const http::Request& request) {
    std::string_view name = request.params.Get("name");
    for (const auto& comp : c->engine->Snapshot().components) {
      if (comp.name != name) continue;
      json body = ComponentJson(comp);
      auto impact = c->engine->graph().Dependents(name);
      body["dependents"] = impact.ok() ? json(*impact) : json::array();
      return JsonResponse(200, body);
    }
    return http::Response::Problem(
        404, "Not Found", "no component named '" + std::string(name) + "'", {{"field", "name"}});
  });
}

}  // namespace novacron::components
