#include "components/graph.h"

#include <algorithm>
#include <functional>

#include "components/api_component.h"
#include "components/cache_component.h"
#include "components/cluster_component.h"
#include "components/config_component.h"
#include "components/database_component.h"
#include "components/environment_component.h"
#include "components/logger_component.h"
#include "components/metrics_component.h"
#include "components/orchestrator_component.h"
#include "components/resources_component.h"
#include "components/security_component.h"
#include "components/vm_manager_component.h"

namespace novacron::components {
namespace {

using lifecycle::Criticality;
using lifecycle::Phase;
using Factory = std::function<std::shared_ptr<lifecycle::Component>(lifecycle::ComponentSpec,
                                                                    Runtime&, const Failpoints&)>;

template <class T>
Factory Make() {
  return [](lifecycle::ComponentSpec spec, Runtime& runtime, const Failpoints& failpoints) {
    return std::make_shared<T>(std::move(spec), runtime, failpoints);
  };
}

struct Entry {
  std::string_view name;
  std::vector<std::string> dependencies;
  Criticality criticality;
  Phase phase;
  Factory make;
  // Null: always registered. Else registered only when it says so for the configuration; the
  // others' dependencies on an unregistered component are dropped.
  bool (*enabled)(const config::Config&) = nullptr;
};

bool ClusterEnabled(const config::Config& config) {
  return config.cluster.mode == config::ClusterMode::kEtcd;
}

// Only components that do real work are registered. The design's network, dwcp,
// orchestrator, monitoring and ml engine (docs/architecture.md, "The full graph the design aims
// at") join this table as they are built; until then the others depend on what they really use.
const std::vector<Entry>& Table() {
  // clang-format off
  static const std::vector<Entry> table = {
      // name           dependencies             criticality             phase
      {"config",        {},                      Criticality::kCritical, Phase::kPreInit,
       Make<ConfigComponent>()},
      {"logger",        {"config"},              Criticality::kCritical, Phase::kPreInit,
       Make<LoggerComponent>()},
      {"metrics",       {"config", "logger"},    Criticality::kCritical, Phase::kPreInit,
       Make<MetricsComponent>()},
      {"environment",   {"config"},              Criticality::kCritical, Phase::kPreInit,
       Make<EnvironmentComponent>()},
      {"resources",     {"config"},              Criticality::kCritical, Phase::kPreInit,
       Make<ResourcesComponent>()},
      {"security",      {"config"},              Criticality::kCritical, Phase::kCore,
       Make<SecurityComponent>()},
      {"database",      {"config", "resources"}, Criticality::kCritical, Phase::kCore,
       Make<DatabaseComponent>()},
      {"cache",         {"config", "metrics"},   Criticality::kDegraded, Phase::kCore,
       Make<CacheComponent>()},
      {"vm_manager",    {"database", "cache", "metrics"},
                                                 Criticality::kCritical, Phase::kServices,
       Make<VmManagerComponent>()},
      {"cluster",       {"metrics", "environment", "vm_manager"},
                                                 Criticality::kCritical, Phase::kServices,
       Make<ClusterComponent>(), &ClusterEnabled},
      {"orchestrator",  {"database", "vm_manager", "cluster"},
                                                 Criticality::kCritical, Phase::kServices,
       Make<OrchestratorComponent>(), &ClusterEnabled},
      {"api",           {"metrics", "environment", "security", "database", "vm_manager",
                         "cluster", "orchestrator"},
                                                 Criticality::kCritical, Phase::kServices,
       Make<ApiComponent>()},
  };
  // clang-format on
  return table;
}

bool Registered(const Entry& e, const config::Config& config) {
  return e.enabled == nullptr || e.enabled(config);
}

lifecycle::ComponentSpec SpecOf(const Entry& e, const config::Config& config) {
  lifecycle::ComponentSpec spec;
  spec.name = std::string(e.name);
  for (const std::string& dependency : e.dependencies) {
    auto it = std::find_if(Table().begin(), Table().end(),
                           [&](const Entry& other) { return other.name == dependency; });
    if (it == Table().end() || Registered(*it, config)) spec.dependencies.push_back(dependency);
  }
  spec.criticality = e.criticality;
  spec.phase = e.phase;
  spec.start_timeout = config.system.start_timeout;
  spec.stop_timeout = config.system.stop_timeout;
  return spec;
}

}  // namespace

std::vector<lifecycle::ComponentSpec> DeclaredGraph(const config::Config& config) {
  std::vector<lifecycle::ComponentSpec> specs;
  for (const Entry& e : Table()) {
    if (Registered(e, config)) specs.push_back(SpecOf(e, config));
  }
  return specs;
}

std::vector<std::shared_ptr<lifecycle::Component>> BuildComponents(Runtime& runtime,
                                                                   const Failpoints& failpoints) {
  std::vector<std::shared_ptr<lifecycle::Component>> components;
  for (const Entry& e : Table()) {
    if (!Registered(e, runtime.config())) continue;
    components.push_back(e.make(SpecOf(e, runtime.config()), runtime, failpoints));
  }
  return components;
}

}  // namespace novacron::components
