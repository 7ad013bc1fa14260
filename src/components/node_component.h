// Base of the daemon's components: applies the failpoint of the component (if any) before each
// start attempt, then runs the component's own DoStart.
#pragma once

#include "components/failpoints.h"
#include "components/runtime.h"
#include "lifecycle/component.h"

namespace novacron::components {

class NodeComponent : public lifecycle::Component {
 public:
  NodeComponent(lifecycle::ComponentSpec spec, Runtime& runtime, const Failpoints& failpoints)
      : Component(std::move(spec)), runtime_(runtime), failpoints_(failpoints) {}

  Status Start(lifecycle::StartContext& ctx) final {
    NOVACRON_RETURN_IF_ERROR(failpoints_.Apply(name(), ctx.attempt(), ctx.stop_token()));
    return DoStart(ctx);
  }

 protected:
  virtual Status DoStart(lifecycle::StartContext& ctx) = 0;
  Runtime& runtime() const { return runtime_; }
  const config::Config& config() const { return runtime_.config(); }
  observe::Logger log() const { return runtime_.logs.Get().With({{"component", name()}}); }

 private:
  Runtime& runtime_;
  const Failpoints& failpoints_;
};

}  // namespace novacron::components
