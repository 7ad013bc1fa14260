// cache: VM record reads in front of the state store (storage.enable_cache), in process memory
// or in Redis (storage.cache_backend). Degraded, never fatal: with Redis down it serves from
// memory, reports itself degraded and goes back to Redis once it answers.
#pragma once

#include <memory>
#include <mutex>

#include "cache/cache.h"
#include "components/node_component.h"

namespace novacron::components {

class CacheComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "cache";
  using NodeComponent::NodeComponent;

  // Null when storage.enable_cache is off or the component does not run. Thread-safe.
  std::shared_ptr<cache::Cache> cache() const {
    std::lock_guard lock(mu_);
    return cache_;
  }

  Status Stop(lifecycle::StopContext& ctx) override;
  lifecycle::HealthReport Health() const override;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  Status RegisterMetrics();

  mutable std::mutex mu_;
  std::shared_ptr<cache::Cache> cache_;
  bool metrics_registered_ = false;
};

}  // namespace novacron::components
