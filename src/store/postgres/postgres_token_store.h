// TokenStore on PostgreSQL (schema from StoreMigrations()); every call is one transaction.
#pragma once

#include "store/postgres/postgres_pool.h"
#include "store/token_store.h"

namespace novacron::store {

class PostgresTokenStore final : public TokenStore {
 public:
  // `pool` must outlive this store.
  explicit PostgresTokenStore(PostgresPool& pool) : pool_(pool) {}

  Result<TokenRecord> Create(const TokenRecord& record) override;
  Result<TokenRecord> FindByHash(const std::string& hash) override;
  Result<std::vector<TokenRecord>> List() override;
  Result<TokenRecord> Revoke(const std::string& id,
                             std::chrono::system_clock::time_point when) override;

 private:
  PostgresPool& pool_;
};

}  // namespace novacron::store
