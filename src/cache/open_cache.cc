#include "cache/open_cache.h"

#include "cache/fallback_cache.h"
#include "cache/memory_cache.h"
#include "cache/redis_cache.h"
#include "cache/redis_url.h"

namespace novacron::cache {

Result<std::unique_ptr<Cache>> OpenCache(const CacheOptions& options) {
  if (options.max_entries < 1) {
    return InvalidArgument("storage.cache_max_entries: must be at least 1, got " +
                           std::to_string(options.max_entries));
  }
  auto memory =
      std::make_unique<MemoryCache>(MemoryCacheOptions{.max_entries = options.max_entries});
  if (options.backend == CacheBackendKind::kMemory)
    return std::unique_ptr<Cache>(std::move(memory));

  NOVACRON_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUrl(options.redis_url));
  auto redis = std::make_unique<RedisCache>(RedisCacheOptions{
      .endpoint = std::move(endpoint),
      .key_prefix = options.key_prefix,
      .timeouts = options.redis_timeouts,
      .reconnect_backoff_initial = options.retry_backoff_initial,
      .reconnect_backoff_max = options.retry_backoff_max,
  });
  return std::unique_ptr<Cache>(std::make_unique<FallbackCache>(
      std::move(redis), std::move(memory),
      FallbackOptions{.probe_backoff_initial = options.retry_backoff_initial,
                      .probe_backoff_max = options.retry_backoff_max}));
}

}  // namespace novacron::cache
