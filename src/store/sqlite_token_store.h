// TokenStore on a SqliteDatabase migrated with StoreMigrations(); every call is one transaction.
#pragma once

#include "store/sqlite_database.h"
#include "store/token_store.h"

namespace novacron::store {

class SqliteTokenStore final : public TokenStore {
 public:
  // `db` must outlive this store.
  explicit SqliteTokenStore(SqliteDatabase& db) : db_(db) {}

  Result<TokenRecord> Create(const TokenRecord& record) override;
  Result<TokenRecord> FindByHash(const std::string& hash) override;
  Result<std::vector<TokenRecord>> List() override;
  Result<TokenRecord> Revoke(const std::string& id,
                             std::chrono::system_clock::time_point when) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace novacron::store
