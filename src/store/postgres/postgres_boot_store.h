// BootStore on PostgreSQL, with the SQLite backend's semantics (see boot_store.h). Writes run in
// READ COMMITTED transactions that lock what they depend on: an advisory lock for boot ids, the
// boot's row (FOR UPDATE) for its components and checkpoints.
#pragma once

#include "store/boot_store.h"
#include "store/postgres/postgres_pool.h"

namespace novacron::store {

class PostgresBootStore final : public BootStore {
 public:
  // `pool` must outlive this store; `retention` >= 1 boots are kept.
  PostgresBootStore(PostgresPool& pool, int retention) : pool_(pool), retention_(retention) {}

  Result<int64_t> BeginBoot(const BootInfo& info) override;
  Status RecordComponent(int64_t boot_id, const ComponentRecord& component) override;
  Status RecordCheckpoint(int64_t boot_id, std::string_view name,
                          std::chrono::microseconds offset) override;
  Status FinishBoot(int64_t boot_id, BootState outcome, std::chrono::microseconds total_duration,
                    std::string_view error) override;
  Status RecordShutdown(int64_t boot_id, std::chrono::system_clock::time_point at,
                        bool clean) override;
  Result<int> MarkInterrupted(int64_t current_boot_id) override;
  Result<std::vector<BootRecord>> ListBoots(int limit) override;
  Result<BootRecord> GetBoot(int64_t boot_id) override;

 private:
  PostgresPool& pool_;
  const int retention_;
};

}  // namespace novacron::store
