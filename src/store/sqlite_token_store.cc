#include "store/sqlite_token_store.h"

#include "store/record_codec.h"
#include "store/sqlite_statement.h"

namespace novacron::store {
namespace {

using std::chrono::system_clock;

constexpr const char* kColumns =
    "id, name, role, hash, created_by, created_at, expires_at, revoked_at";

std::optional<system_clock::time_point> OptionalTime(const SqliteStatement& row, int column) {
  std::optional<int64_t> us = row.OptionalInt64(column);
  if (!us) return std::nullopt;
  return FromUnixMicros(*us);
}

std::optional<int64_t> OptionalMicros(const std::optional<system_clock::time_point>& t) {
  if (!t) return std::nullopt;
  return ToUnixMicros(*t);
}

TokenRecord ReadToken(const SqliteStatement& row) {
  TokenRecord record;
  record.id = row.Text(0);
  record.name = row.Text(1);
  record.role = row.Text(2);
  record.hash = row.Text(3);
  record.created_by = row.Text(4);
  record.created_at = FromUnixMicros(row.Int64(5));
  record.expires_at = OptionalTime(row, 6);
  record.revoked_at = OptionalTime(row, 7);
  return record;
}

Result<std::optional<TokenRecord>> SelectOne(SqliteTransaction& txn, std::string_view column,
                                             const std::string& value) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                            txn.Prepare(std::string("SELECT ") + kColumns +
                                        " FROM api_tokens WHERE " + std::string(column) + " = ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindText(1, value));
  NOVACRON_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(ReadToken(select));
}

}  // namespace

Result<TokenRecord> SqliteTokenStore::Create(const TokenRecord& record) {
  if (record.id.empty() || record.hash.empty()) {
    return InvalidArgument("token record: id and hash are required");
  }
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  NOVACRON_ASSIGN_OR_RETURN(std::optional<TokenRecord> by_id, SelectOne(txn, "id", record.id));
  if (by_id) return AlreadyExists("token " + record.id + " already exists");
  NOVACRON_ASSIGN_OR_RETURN(std::optional<TokenRecord> by_hash,
                            SelectOne(txn, "hash", record.hash));
  if (by_hash) return AlreadyExists("a token with this secret already exists");
  TokenRecord stored = record;
  stored.created_at = FromUnixMicros(ToUnixMicros(system_clock::now()));
  {
    NOVACRON_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        txn.Prepare("INSERT INTO api_tokens (id, name, role, hash, created_by, created_at, "
                    "expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(1, stored.id));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(2, stored.name));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(3, stored.role));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(4, stored.hash));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(5, stored.created_by));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(6, ToUnixMicros(stored.created_at)));
    NOVACRON_RETURN_IF_ERROR(insert.BindOptionalInt64(7, OptionalMicros(stored.expires_at)));
    NOVACRON_RETURN_IF_ERROR(insert.BindOptionalInt64(8, OptionalMicros(stored.revoked_at)));
    NOVACRON_RETURN_IF_ERROR(insert.Run());
  }
  NOVACRON_RETURN_IF_ERROR(txn.Commit());
  return stored;
}

Result<TokenRecord> SqliteTokenStore::FindByHash(const std::string& hash) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  NOVACRON_ASSIGN_OR_RETURN(std::optional<TokenRecord> found, SelectOne(txn, "hash", hash));
  if (!found) return NotFound("no token has this secret");
  return *found;
}

Result<std::vector<TokenRecord>> SqliteTokenStore::List() {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  NOVACRON_ASSIGN_OR_RETURN(
      SqliteStatement select,
      txn.Prepare(std::string("SELECT ") + kColumns + " FROM api_tokens ORDER BY created_at, id"));
  std::vector<TokenRecord> tokens;
  while (true) {
    NOVACRON_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    tokens.push_back(ReadToken(select));
  }
  return tokens;
}

Result<TokenRecord> SqliteTokenStore::Revoke(const std::string& id, system_clock::time_point when) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  NOVACRON_ASSIGN_OR_RETURN(std::optional<TokenRecord> found, SelectOne(txn, "id", id));
  if (!found) return NotFound("token " + id + " not found");
  if (found->revoked_at) return *found;
  found->revoked_at = FromUnixMicros(ToUnixMicros(when));
  {
    NOVACRON_ASSIGN_OR_RETURN(SqliteStatement update,
                              txn.Prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?"));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(1, ToUnixMicros(*found->revoked_at)));
    NOVACRON_RETURN_IF_ERROR(update.BindText(2, id));
    NOVACRON_RETURN_IF_ERROR(update.Run());
  }
  NOVACRON_RETURN_IF_ERROR(txn.Commit());
  return *found;
}

}  // namespace novacron::store
