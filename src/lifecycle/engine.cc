#include "lifecycle/engine.h"

#include <string>
#include <system_error>
#include <utility>

#include "lifecycle/scheduler.h"

namespace novacron::lifecycle {

Result<std::unique_ptr<Engine>> Engine::Create(std::vector<std::shared_ptr<Component>> components,
                                               EngineOptions options) {
  if (options.max_concurrency < 0) {
    return InvalidArgument("engine: max_concurrency must not be negative, got " +
                           std::to_string(options.max_concurrency));
  }
  if (options.start_timeout.count() <= 0 || options.stop_timeout.count() <= 0) {
    return InvalidArgument("engine: start and stop timeouts must be positive");
  }
  std::vector<ComponentSpec> specs;
  specs.reserve(components.size());
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (components[i] == nullptr) {
      return InvalidArgument("engine: component #" + std::to_string(i) + " is null");
    }
    const ComponentSpec& spec = components[i]->spec();
    if (spec.start_timeout.count() < 0 || spec.stop_timeout.count() < 0) {
      return InvalidArgument("component '" + spec.name + "': timeouts must not be negative");
    }
    if (Status s = spec.EffectiveRetry().Validate(); !s.ok()) {
      return s.Wrap("component '" + spec.name + "'");
    }
    specs.push_back(spec);
  }
  Result<Graph> graph = Graph::Build(std::move(specs));
  if (!graph.ok()) return graph.status();
  try {
    auto scheduler = std::make_shared<internal::Scheduler>(std::move(graph).value(),
                                                           std::move(components), options);
    return std::unique_ptr<Engine>(new Engine(std::move(scheduler)));
  } catch (const std::system_error& e) {  // the observer's event thread
    return Internal(std::string("engine: cannot create its threads: ") + e.what());
  }
}

Engine::Engine(std::shared_ptr<internal::Scheduler> scheduler) : scheduler_(std::move(scheduler)) {}

Engine::~Engine() {
  (void)scheduler_->Stop(std::nullopt);
  scheduler_->Close();
}

BootReport Engine::Start() { return scheduler_->Boot(); }
void Engine::CancelBoot() { scheduler_->CancelBoot(); }
Status Engine::EnsureStarted(std::string_view name) { return scheduler_->EnsureStarted(name); }
StopReport Engine::Stop(std::optional<Duration> overall_timeout) {
  return scheduler_->Stop(overall_timeout);
}
EngineSnapshot Engine::Snapshot() const { return scheduler_->Snapshot(); }
bool Engine::Ready() const { return scheduler_->Ready(); }
bool Engine::Live() const { return scheduler_->Live(); }
bool Engine::StartupComplete() const { return scheduler_->StartupComplete(); }
bool Engine::Degraded() const { return scheduler_->Degraded(); }
const Graph& Engine::graph() const { return scheduler_->graph(); }
Component* Engine::Find(std::string_view name) const { return scheduler_->Find(name); }

}  // namespace novacron::lifecycle
