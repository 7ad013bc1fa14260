#include "store/etcd/etcd_state_store.h"

#include <utility>

#include "store/etcd/etcd_store_codec.h"

namespace novacron::store {

Result<std::unique_ptr<EtcdStateStore>> EtcdStateStore::Open(cluster::EtcdClient& client,
                                                             std::string prefix,
                                                             std::unique_ptr<StateStore> local) {
  if (prefix.empty()) return InvalidArgument("etcd store: the key prefix is empty");
  if (local == nullptr) return InvalidArgument("etcd store: no local store for boot records");
  return std::unique_ptr<EtcdStateStore>(
      new EtcdStateStore(client, std::move(prefix), std::move(local)));
}

Result<std::unique_ptr<EtcdStateStore>> EtcdStateStore::Open(
    std::shared_ptr<cluster::EtcdClient> client, std::string prefix,
    std::unique_ptr<StateStore> local) {
  if (client == nullptr) return InvalidArgument("etcd store: no etcd client");
  NOVACRON_ASSIGN_OR_RETURN(std::unique_ptr<EtcdStateStore> store,
                            Open(*client, std::move(prefix), std::move(local)));
  store->owned_client_ = std::move(client);
  return store;
}

EtcdStateStore::EtcdStateStore(cluster::EtcdClient& client, std::string prefix,
                               std::unique_ptr<StateStore> local)
    : client_(client),
      prefix_(std::move(prefix)),
      local_(std::move(local)),
      vms_(client, prefix_),
      tokens_(client, prefix_) {}

std::string EtcdStateStore::location() const {
  std::string endpoints;
  for (const std::string& endpoint : client_.options().endpoints) {
    if (!endpoints.empty()) endpoints += ',';
    endpoints += endpoint;
  }
  return "etcd " + endpoints + " " + prefix_ + " (boots: " + local_->location() + ")";
}

Status EtcdStateStore::Health() {
  NOVACRON_RETURN_IF_ERROR(local_->Health());
  // Any key will do; the prefix itself is usually absent, which keeps the answer small.
  return OrStoreError(client_.Get(prefix_), "etcd store health").status();
}

}  // namespace novacron::store
