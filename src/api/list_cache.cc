#include "api/list_cache.h"

namespace novacron::api {

std::shared_ptr<const std::string> ListCache::Get(const std::string& query, uint64_t generation,
                                                  Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(query);
  if (it == entries_.end() || it->second.generation != generation ||
      now - it->second.stored > max_age_) {
    return nullptr;
  }
  return it->second.body;
}

void ListCache::Put(const std::string& query, uint64_t generation, std::string body,
                    Clock::time_point now) {
  auto shared = std::make_shared<const std::string>(std::move(body));
  std::lock_guard lock(mu_);
  // Queries are few in practice (dashboards polling the same pages); a flood of distinct ones
  // just starts over instead of growing without bound.
  if (entries_.size() >= max_entries_ && !entries_.contains(query)) entries_.clear();
  entries_[query] = Entry{generation, now, std::move(shared)};
}

}  // namespace novacron::api
