// The daemon's component graph, declared in one place (graph.cc reads like the table in
// docs/architecture.md), and the factory that builds the components from it.
#pragma once

#include <memory>
#include <vector>

#include "components/failpoints.h"
#include "components/runtime.h"
#include "lifecycle/component.h"

namespace novacron::components {

// The specs of every registered component, with the configured timeouts applied.
std::vector<lifecycle::ComponentSpec> DeclaredGraph(const config::Config& config);

// One component per declared spec. `runtime` and `failpoints` must outlive them.
std::vector<std::shared_ptr<lifecycle::Component>> BuildComponents(Runtime& runtime,
                                                                   const Failpoints& failpoints);

}  // namespace novacron::components
