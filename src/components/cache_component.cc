#include "components/cache_component.h"

#include "cache/open_cache.h"

namespace novacron::components {

Status CacheComponent::DoStart(lifecycle::StartContext&) {
  const config::StorageConfig& storage = config().storage;
  if (!storage.enable_cache) {
    log().Info("cache disabled (storage.enable_cache=false): reads go to the state store");
    return {};
  }
  cache::CacheOptions options;
  options.backend = storage.cache_backend == config::CacheBackend::kRedis
                        ? cache::CacheBackendKind::kRedis
                        : cache::CacheBackendKind::kMemory;
  options.redis_url = storage.redis_url;
  options.max_entries = storage.cache_max_entries;
  NOVACRON_ASSIGN_OR_RETURN(std::unique_ptr<cache::Cache> opened, cache::OpenCache(options));
  std::shared_ptr<cache::Cache> shared = std::move(opened);
  cache::CacheHealth health = shared->Health();
  if (health.degraded) {
    log().Warn("cache degraded", {{"backend", shared->backend()}, {"detail", health.detail}});
  } else {
    log().Info("cache ready", {{"backend", shared->backend()},
                               {"ttl_ms", static_cast<int64_t>(storage.cache_ttl.count())}});
  }
  {
    std::lock_guard lock(mu_);
    cache_ = std::move(shared);
  }
  return RegisterMetrics();
}

Status CacheComponent::RegisterMetrics() {
  if (metrics_registered_) return {};  // a restart of the component keeps the first ones
  metrics_registered_ = true;
  using Field = uint64_t cache::CacheStats::*;
  struct Counter {
    const char* name;
    const char* help;
    Field field;
  };
  const Counter counters[] = {
      {"novacron_cache_hits_total", "Cache reads that found the key.", &cache::CacheStats::hits},
      {"novacron_cache_misses_total", "Cache reads that did not.", &cache::CacheStats::misses},
      {"novacron_cache_evictions_total", "Entries dropped to stay within max entries.",
       &cache::CacheStats::evictions},
      {"novacron_cache_errors_total", "Cache backend failures, served as misses.",
       &cache::CacheStats::errors},
  };
  for (const Counter& c : counters) {
    NOVACRON_RETURN_IF_ERROR(
        runtime().metrics.RegisterCounterFunc(c.name, c.help, [this, field = c.field]() -> double {
          std::shared_ptr<cache::Cache> current = cache();
          return current ? static_cast<double>(current->stats().*field) : 0.0;
        }));
  }
  return runtime().metrics.RegisterGaugeFunc(
      "novacron_cache_degraded", "1 while the Redis cache is down and memory serves instead.",
      [this]() -> double {
        std::shared_ptr<cache::Cache> current = cache();
        return current && current->Health().degraded ? 1.0 : 0.0;
      });
}

Status CacheComponent::Stop(lifecycle::StopContext&) {
  std::lock_guard lock(mu_);
  cache_.reset();
  return {};
}

lifecycle::HealthReport CacheComponent::Health() const {
  std::shared_ptr<cache::Cache> current = cache();
  if (current) {
    cache::CacheHealth health = current->Health();
    if (health.degraded) return lifecycle::HealthReport::Degraded(health.detail);
  }
  return {};
}

}  // namespace novacron::components
