// VmStore on PostgreSQL (see vm_store.h), with the SQLite backend's semantics and messages.
// Writes run in READ COMMITTED transactions: creates first bump the vm_seq counter row (which
// serializes creators and never reuses a seq), updates and deletes lock the record's row
// (SELECT ... FOR UPDATE) before checking its version. Reads use one snapshot per call.
#pragma once

#include "store/postgres/postgres_pool.h"
#include "store/vm_store.h"

namespace novacron::store {

class PostgresVmStore final : public VmStore {
 public:
  // `pool` must outlive this store.
  explicit PostgresVmStore(PostgresPool& pool) : pool_(pool) {}

  Result<VmRecord> Create(const VmRecord& record, const IdempotencyRecord* idempotency) override;
  Result<VmRecord> Get(const std::string& id) override;
  Result<VmRecord> GetByName(const std::string& name) override;
  Result<VmPage> List(const VmListFilter& filter, const VmPageRequest& page) override;
  Result<std::vector<VmRecord>> ListAll() override;
  Result<VmRecord> Update(const VmRecord& record, int64_t expected_version) override;
  Status Delete(const std::string& id, std::optional<int64_t> expected_version) override;
  Result<IdempotencyRecord> GetIdempotency(const std::string& key) override;
  Status PutIdempotency(const IdempotencyRecord& record) override;
  Result<int> PruneIdempotency(std::chrono::system_clock::time_point before) override;

 private:
  PostgresPool& pool_;
};

}  // namespace novacron::store
