// A VmStore that serves reads by id from a cache (in-memory or Redis) in front of the real
// store. Writes go to the store first and then refresh or drop the cached copy, so a reader
// never sees a record older than the last acknowledged write of this process; writers in other
// processes are bounded by the TTL. Everything but Get(id) passes straight through.
#pragma once

#include <atomic>
#include <chrono>

#include "cache/cache.h"
#include "store/vm_store.h"

namespace novacron::cache {

class CachedVmStore final : public store::VmStore {
 public:
  // `store` and `cache` must outlive this object.
  CachedVmStore(store::VmStore& store, Cache& cache, std::chrono::milliseconds ttl)
      : store_(store), cache_(cache), ttl_(ttl) {}

  Result<store::VmRecord> Create(const store::VmRecord& record,
                                 const store::IdempotencyRecord* idempotency) override;
  Result<store::VmRecord> Get(const std::string& id) override;
  Result<store::VmRecord> GetByName(const std::string& name) override {
    return store_.GetByName(name);
  }
  Result<store::VmPage> List(const store::VmListFilter& filter,
                             const store::VmPageRequest& page) override {
    return store_.List(filter, page);
  }
  Result<std::vector<store::VmRecord>> ListAll() override { return store_.ListAll(); }
  Result<store::VmRecord> Update(const store::VmRecord& record, int64_t expected_version) override;
  Status Delete(const std::string& id, std::optional<int64_t> expected_version) override;
  Result<store::IdempotencyRecord> GetIdempotency(const std::string& key) override {
    return store_.GetIdempotency(key);
  }
  Status PutIdempotency(const store::IdempotencyRecord& record) override {
    return store_.PutIdempotency(record);
  }
  Result<int> PruneIdempotency(std::chrono::system_clock::time_point before) override {
    return store_.PruneIdempotency(before);
  }

 private:
  void Remember(const store::VmRecord& record);
  void Forget(const std::string& id);

  // Bumped before every write: a read that missed fills the cache only if no write started
  // meanwhile, so it cannot put back a record older than one just written.
  std::atomic<uint64_t> writes_{0};

  store::VmStore& store_;
  Cache& cache_;
  const std::chrono::milliseconds ttl_;
};

// The cache's encoding of a record (JSON), exposed for tests.
std::string EncodeVmRecord(const store::VmRecord& record);
std::optional<store::VmRecord> DecodeVmRecord(std::string_view text);

}  // namespace novacron::cache
