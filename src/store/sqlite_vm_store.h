// VmStore on a SqliteDatabase whose schema is migrated (StoreMigrations()). Every call is one
// transaction. List cursors are the decimal `seq` of the previous page's last VM; seqs come from
// the vm_seq counter and are never reused. updated_at strictly increases with every update.
#pragma once

#include "store/sqlite_database.h"
#include "store/vm_store.h"

namespace novacron::store {

class SqliteVmStore final : public VmStore {
 public:
  // `db` must outlive this store.
  explicit SqliteVmStore(SqliteDatabase& db) : db_(db) {}

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
  SqliteDatabase& db_;
};

}  // namespace novacron::store
