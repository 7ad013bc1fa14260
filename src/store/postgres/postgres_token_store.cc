#include "store/postgres/postgres_token_store.h"

#include <pqxx/pqxx>

#include "store/postgres/postgres_values.h"

namespace novacron::store {
namespace {

using std::chrono::system_clock;

constexpr const char* kSelect =
    "SELECT id, name, role, hash, created_by, created_at, expires_at, revoked_at FROM api_tokens ";

std::optional<system_clock::time_point> OptionalTime(const pqxx::field& field) {
  std::optional<int64_t> us = pg::OptionalInt64(field);
  if (!us) return std::nullopt;
  return pg::FromUnixMicros(*us);
}

std::optional<int64_t> OptionalMicros(const std::optional<system_clock::time_point>& t) {
  if (!t) return std::nullopt;
  return pg::ToUnixMicros(*t);
}

TokenRecord ReadToken(const pqxx::row& row) {
  TokenRecord record;
  record.id = row[0].as<std::string>();
  record.name = row[1].as<std::string>();
  record.role = row[2].as<std::string>();
  record.hash = row[3].as<std::string>();
  record.created_by = row[4].as<std::string>();
  record.created_at = pg::FromUnixMicros(row[5].as<int64_t>());
  record.expires_at = OptionalTime(row[6]);
  record.revoked_at = OptionalTime(row[7]);
  return record;
}

}  // namespace

Result<TokenRecord> PostgresTokenStore::Create(const TokenRecord& record) {
  if (record.id.empty() || record.hash.empty()) {
    return InvalidArgument("token record: id and hash are required");
  }
  TokenRecord stored = record;
  stored.created_at = pg::NowMicros();
  const pg::NullableInt64 expires(OptionalMicros(stored.expires_at));
  const pg::NullableInt64 revoked(OptionalMicros(stored.revoked_at));
  return pool_.Query<TokenRecord>(
      PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Result<TokenRecord> {
        // ON CONFLICT DO NOTHING: a concurrent creator's row makes this insert a no-op instead
        // of aborting the transaction; the checks below then say which key was taken.
        pqxx::result inserted = txn.exec_params(
            "INSERT INTO api_tokens (id, name, role, hash, created_by, created_at, expires_at, "
            "revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            stored.id, stored.name, stored.role, stored.hash, stored.created_by,
            pg::ToUnixMicros(stored.created_at), expires.param(), revoked.param());
        if (inserted.affected_rows() == 1) return stored;
        if (!txn.exec_params("SELECT 1 FROM api_tokens WHERE id = $1", stored.id).empty()) {
          return AlreadyExists("token " + stored.id + " already exists");
        }
        return AlreadyExists("a token with this secret already exists");
      });
}

Result<TokenRecord> PostgresTokenStore::FindByHash(const std::string& hash) {
  return pool_.Query<TokenRecord>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<TokenRecord> {
        pqxx::result rows = txn.exec_params(std::string(kSelect) + "WHERE hash = $1", hash);
        if (rows.empty()) return NotFound("no token has this secret");
        return ReadToken(rows[0]);
      });
}

Result<std::vector<TokenRecord>> PostgresTokenStore::List() {
  return pool_.Query<std::vector<TokenRecord>>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<std::vector<TokenRecord>> {
        std::vector<TokenRecord> tokens;
        for (const pqxx::row& row : txn.exec(std::string(kSelect) + "ORDER BY created_at, id")) {
          tokens.push_back(ReadToken(row));
        }
        return tokens;
      });
}

Result<TokenRecord> PostgresTokenStore::Revoke(const std::string& id,
                                               system_clock::time_point when) {
  const int64_t when_us = pg::ToUnixMicros(when);
  return pool_.Query<TokenRecord>(
      PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Result<TokenRecord> {
        txn.exec_params(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", id,
            when_us);
        pqxx::result rows = txn.exec_params(std::string(kSelect) + "WHERE id = $1", id);
        if (rows.empty()) return NotFound("token " + id + " not found");
        return ReadToken(rows[0]);
      });
}

}  // namespace novacron::store
