// TokenStore on etcd (see token_store.h), with the SQLite backend's semantics and messages: a
// token is <prefix>tokens/<id>, and <prefix>token_hashes/<sha256> -> id finds it by its secret's
// hash and keeps hashes unique (both written in one transaction). "Oldest first" is etcd's
// creation order (create_revision). Tokens are never deleted, only revoked.
#pragma once

#include <string>

#include "cluster/etcd_client.h"
#include "store/etcd/etcd_store_codec.h"
#include "store/token_store.h"

namespace novacron::store {

class EtcdTokenStore final : public TokenStore {
 public:
  // `client` must outlive this store. `prefix` is the cluster's key prefix, e.g. "/novacron/".
  EtcdTokenStore(cluster::EtcdClient& client, std::string prefix)
      : client_(client), keys_(std::move(prefix)) {}

  Result<TokenRecord> Create(const TokenRecord& record) override;
  Result<TokenRecord> FindByHash(const std::string& hash) override;
  Result<std::vector<TokenRecord>> List() override;
  Result<TokenRecord> Revoke(const std::string& id,
                             std::chrono::system_clock::time_point when) override;

 private:
  cluster::EtcdClient& client_;
  const EtcdStoreKeys keys_;
};

}  // namespace novacron::store
