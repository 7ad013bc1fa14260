// The StateStore of a daemon in cluster mode etcd (issue 9, "Desired state in etcd"): the
// cluster-wide records - VMs, idempotency keys, API tokens - live in etcd under the cluster's key
// prefix, so every node's API sees the same ones; boot records are the node's own and stay in
// its local store (SQLite under the data dir, or PostgreSQL).
#pragma once

#include <memory>
#include <string>

#include "cluster/etcd_client.h"
#include "common/status.h"
#include "store/etcd/etcd_token_store.h"
#include "store/etcd/etcd_vm_store.h"
#include "store/state_store.h"

namespace novacron::store {

class EtcdStateStore final : public StateStore {
 public:
  // `client` must outlive the store; `prefix` is cluster.prefix (e.g. "/novacron/"); `local`
  // keeps the boot records. kInvalidArgument for an empty prefix or no local store. Opening
  // does not talk to etcd: Health() does.
  static Result<std::unique_ptr<EtcdStateStore>> Open(cluster::EtcdClient& client,
                                                      std::string prefix,
                                                      std::unique_ptr<StateStore> local);
  // The same, keeping `client` alive as long as the store (the daemon's database component).
  static Result<std::unique_ptr<EtcdStateStore>> Open(std::shared_ptr<cluster::EtcdClient> client,
                                                      std::string prefix,
                                                      std::unique_ptr<StateStore> local);

  std::string_view backend() const override { return "etcd"; }
  // "etcd 127.0.0.1:2379,127.0.0.2:2379 /novacron/ (boots: <local location>)".
  std::string location() const override;
  // The local store's: the etcd keys have no schema to migrate (etcd_store_codec.h).
  int schema_version() const override { return local_->schema_version(); }
  // The local store's health, then a linearizable etcd read (which needs etcd's quorum).
  Status Health() override;

  bool ServingStaleReads() const override { return client_.reads_stale(); }

  BootStore& boots() override { return local_->boots(); }
  VmStore& vms() override { return vms_; }
  TokenStore& tokens() override { return tokens_; }

  // The local store behind boots().
  StateStore& local() { return *local_; }
  // The etcd VM store, for the leader's guarded writes (EtcdVmStore::UpdateAsLeader).
  EtcdVmStore& etcd_vms() { return vms_; }
  cluster::EtcdClient& client() { return client_; }

 private:
  EtcdStateStore(cluster::EtcdClient& client, std::string prefix,
                 std::unique_ptr<StateStore> local);

  std::shared_ptr<cluster::EtcdClient> owned_client_;  // null when the caller keeps it
  cluster::EtcdClient& client_;
  const std::string prefix_;
  std::unique_ptr<StateStore> local_;
  EtcdVmStore vms_;
  EtcdTokenStore tokens_;
};

}  // namespace novacron::store
