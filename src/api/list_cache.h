// Rendered answers of GET /api/v1/vms, reused while the VM manager's generation has not moved
// (no record changed) and the answer is younger than a short maximum age (which bounds what a
// writer in another process sharing the database can make us miss). Rendering 100 VMs costs
// about a millisecond; a repeated list becomes a string copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace novacron::api {

class ListCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ListCache(std::chrono::milliseconds max_age = std::chrono::seconds(1),
                     size_t max_entries = 64)
      : max_age_(max_age), max_entries_(max_entries) {}

  // The body cached for `query` at `generation`, if still fresh.
  std::shared_ptr<const std::string> Get(const std::string& query, uint64_t generation,
                                         Clock::time_point now = Clock::now()) const;
  // `generation` must have been read before the VMs were: a write that lands meanwhile moves
  // the generation on, and the entry is never served.
  void Put(const std::string& query, uint64_t generation, std::string body,
           Clock::time_point now = Clock::now());

 private:
  struct Entry {
    uint64_t generation = 0;
    Clock::time_point stored{};
    std::shared_ptr<const std::string> body;
  };

  const std::chrono::milliseconds max_age_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace novacron::api
