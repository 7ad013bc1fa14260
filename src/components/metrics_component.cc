#include "components/metrics_component.h"

#include "lifecycle/engine.h"
#include "observe/process_metrics.h"

namespace novacron::components {

Status MetricsComponent::DoStart(lifecycle::StartContext&) {
  if (registered_) return {};  // the registry keeps families for its lifetime
  observe::Registry& registry = runtime().metrics;
  NOVACRON_RETURN_IF_ERROR(observe::RegisterProcessMetrics(registry));
  auto build = registry.RegisterGauge("novacron_build_info",
                                      "Version of the running novacron; always 1.", {"version"});
  if (!build.ok()) return build.status();
  (*build)->WithLabels({runtime().version}).Set(1);

  lifecycle::Engine* engine = runtime().engine;
  NOVACRON_RETURN_IF_ERROR(registry.RegisterGaugeFunc(
      "novacron_ready", "1 when every critical component runs and is healthy (/health/ready).",
      [engine] { return engine != nullptr && engine->Ready() ? 1.0 : 0.0; }));
  NOVACRON_RETURN_IF_ERROR(registry.RegisterGaugeFunc(
      "novacron_degraded", "1 when a degraded-class component failed or is blocked.",
      [engine] { return engine != nullptr && engine->Degraded() ? 1.0 : 0.0; }));
  registered_ = true;
  log().Info("metrics registered");
  return {};
}

}  // namespace novacron::components
