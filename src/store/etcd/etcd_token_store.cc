#include "store/etcd/etcd_token_store.h"

#include <algorithm>
#include <utility>

namespace novacron::store {
namespace {

using cluster::Compare;
using cluster::EtcdClient;
using cluster::KeyValue;
using cluster::TxnOp;
using cluster::TxnResult;
using std::chrono::system_clock;

constexpr int64_t kListBatch = 1000;

}  // namespace

Result<TokenRecord> EtcdTokenStore::Create(const TokenRecord& record) {
  if (record.id.empty() || record.hash.empty()) {
    return InvalidArgument("token record: id and hash are required");
  }
  TokenRecord stored = record;
  stored.created_at = system_clock::now();
  NOVACRON_ASSIGN_OR_RETURN(std::string value, EncodeToken(stored));
  const std::string token_key = keys_.Token(record.id);
  const std::string hash_key = keys_.TokenHash(record.hash);
  NOVACRON_ASSIGN_OR_RETURN(
      TxnResult result,
      OrStoreError(client_.Commit(
                       {.compare = {Compare::Missing(token_key), Compare::Missing(hash_key)},
                        .success = {TxnOp::Put(token_key, value), TxnOp::Put(hash_key, record.id)},
                        .failure = {TxnOp::Get(token_key)}}),
                   "create token " + record.id));
  if (result.succeeded) return stored;
  if (FindRead(result, token_key) != nullptr) {
    return AlreadyExists("token " + record.id + " already exists");
  }
  return AlreadyExists("a token with this secret already exists");
}

Result<TokenRecord> EtcdTokenStore::FindByHash(const std::string& hash) {
  NOVACRON_ASSIGN_OR_RETURN(std::optional<KeyValue> index,
                            OrStoreError(client_.Get(keys_.TokenHash(hash)), "find token"));
  if (!index) return NotFound("no token has this secret");
  // Tokens are never deleted and their hash never changes, so the index cannot be stale.
  NOVACRON_ASSIGN_OR_RETURN(
      std::optional<KeyValue> token,
      OrStoreError(client_.Get(keys_.Token(index->value)), "read token " + index->value));
  if (!token) return Internal("etcd key " + index->key + " names a token that does not exist");
  return DecodeToken(*token, index->value);
}

Result<std::vector<TokenRecord>> EtcdTokenStore::List() {
  struct Stored {
    TokenRecord record;
    int64_t create_revision = 0;
  };
  const size_t dir_size = keys_.TokenDir().size();
  std::vector<Stored> tokens;
  NOVACRON_RETURN_IF_ERROR(ScanSnapshot(
      client_, EtcdClient::RangeQuery::Prefix(keys_.TokenDir()), kListBatch, "list tokens",
      [&] { tokens.clear(); },
      [&](const KeyValue& kv) -> Result<bool> {
        NOVACRON_ASSIGN_OR_RETURN(TokenRecord record, DecodeToken(kv, kv.key.substr(dir_size)));
        tokens.push_back({std::move(record), kv.create_revision});
        return true;
      }));
  std::sort(tokens.begin(), tokens.end(),
            [](const Stored& a, const Stored& b) { return a.create_revision < b.create_revision; });
  std::vector<TokenRecord> out;
  out.reserve(tokens.size());
  for (Stored& token : tokens) out.push_back(std::move(token.record));
  return out;
}

Result<TokenRecord> EtcdTokenStore::Revoke(const std::string& id, system_clock::time_point when) {
  const std::string key = keys_.Token(id);
  for (int attempt = 0; attempt < kEtcdStoreMaxAttempts; ++attempt) {
    NOVACRON_ASSIGN_OR_RETURN(std::optional<KeyValue> current,
                              OrStoreError(client_.Get(key), "read token " + id));
    if (!current) return NotFound("token " + id + " not found");
    NOVACRON_ASSIGN_OR_RETURN(TokenRecord token, DecodeToken(*current, id));
    if (token.revoked_at) return token;  // the first revocation's time stays
    token.revoked_at = when;
    NOVACRON_ASSIGN_OR_RETURN(std::string value, EncodeToken(token));
    NOVACRON_ASSIGN_OR_RETURN(
        TxnResult result,
        OrStoreError(
            client_.Commit({.compare = {Compare::ModRevisionIs(key, current->mod_revision)},
                            .success = {TxnOp::Put(key, value)},
                            .failure = {}}),
            "revoke token " + id));
    if (result.succeeded) return token;
    // Revoked by someone else meanwhile: the next read returns their time.
  }
  return Unavailable("etcd store: token " + id + " kept changing under concurrent writes");
}

}  // namespace novacron::store
