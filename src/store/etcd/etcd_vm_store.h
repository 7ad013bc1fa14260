// VmStore on etcd (see vm_store.h), with the SQLite backend's semantics and messages; the keys
// are in etcd_store_codec.h. A record's version is etcd's per-key version of <prefix>vms/<id>
// (1 at create, +1 per put), so the version check of an update or delete is a compare in the
// same etcd transaction as the write. Creation order is etcd's create_revision: List pages by
// it (the cursor is the decimal create_revision of the previous page's last record) and applies
// the filter while it reads. Every write is one transaction over the record and its index keys.
//
// etcd down, slow or without quorum: kUnavailable naming etcd (the API answers 503).
#pragma once

#include <string>

#include "cluster/etcd_client.h"
#include "store/etcd/etcd_store_codec.h"
#include "store/vm_store.h"

namespace novacron::store {

class EtcdVmStore final : public VmStore {
 public:
  // `client` must outlive this store. `prefix` is the cluster's key prefix, e.g. "/novacron/".
  EtcdVmStore(cluster::EtcdClient& client, std::string prefix)
      : client_(client), keys_(std::move(prefix)) {}

  Result<VmRecord> Create(const VmRecord& record, const IdempotencyRecord* idempotency) override;
  Result<VmRecord> Get(const std::string& id) override;
  Result<VmRecord> GetByName(const std::string& name) override;
  Result<VmPage> List(const VmListFilter& filter, const VmPageRequest& page) override;
  Result<std::vector<VmRecord>> ListAll() override;
  Result<VmRecord> Update(const VmRecord& record, int64_t expected_version) override;
  Status Delete(const std::string& id, std::optional<int64_t> expected_version) override;
  // Update() in a transaction that also requires `guard` (the leader's term, Leadership::Guard):
  // kFailedPrecondition when the guard no longer holds, so a deposed leader writes nothing.
  Result<VmRecord> UpdateAsLeader(const VmRecord& record, int64_t expected_version,
                                  const cluster::Compare& guard);
  const EtcdStoreKeys& keys() const { return keys_; }

  Result<IdempotencyRecord> GetIdempotency(const std::string& key) override;
  Status PutIdempotency(const IdempotencyRecord& record) override;
  Result<int> PruneIdempotency(std::chrono::system_clock::time_point before) override;

 private:
  Result<VmRecord> UpdateGuarded(const VmRecord& record, int64_t expected_version,
                                 const cluster::Compare* guard);
  // The stored key-value of VM `id`; kNotFound when there is none.
  Result<cluster::KeyValue> ReadVm(const std::string& id);

  cluster::EtcdClient& client_;
  const EtcdStoreKeys keys_;
};

}  // namespace novacron::store
