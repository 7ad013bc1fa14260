// What the etcd state store's VM and token stores share: the key layout under the cluster prefix,
// the JSON values, a snapshot scan over many keys, and etcd failures in the store's words.
//
//   <prefix>vms/<id>                 VmRecord JSON (times as unix nanoseconds); the record's
//                                    version is etcd's per-key version of this key
//   <prefix>vm_names/<name>          the id of the VM called <name> (keeps names unique)
//   <prefix>idempotency/<key>        IdempotencyRecord JSON
//   <prefix>tokens/<id>              TokenRecord JSON
//   <prefix>token_hashes/<sha256>    the id of the token whose secret hashes to it
//
// Every write keeps a record and its index keys in one transaction.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "cluster/etcd_client.h"
#include "common/status.h"
#include "store/token_store.h"
#include "store/vm_store.h"

namespace novacron::store {

class EtcdStoreKeys {
 public:
  explicit EtcdStoreKeys(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string VmDir() const { return prefix_ + "vms/"; }
  std::string Vm(const std::string& id) const { return VmDir() + id; }
  std::string VmName(const std::string& name) const { return prefix_ + "vm_names/" + name; }
  std::string IdempotencyDir() const { return prefix_ + "idempotency/"; }
  std::string Idempotency(const std::string& key) const { return IdempotencyDir() + key; }
  std::string TokenDir() const { return prefix_ + "tokens/"; }
  std::string Token(const std::string& id) const { return TokenDir() + id; }
  std::string TokenHash(const std::string& hash) const { return prefix_ + "token_hashes/" + hash; }

 private:
  std::string prefix_;
};

int64_t ToUnixNanos(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point FromUnixNanos(int64_t ns);

// Encoders fail with kInvalidArgument when a text field is not valid UTF-8 (JSON cannot hold
// it). Decoders fail with kInternal naming the etcd key when a value is not what we wrote.
Result<std::string> EncodeVm(const VmRecord& record);
// `kv` is <prefix>vms/<id>: the version comes from etcd.
Result<VmRecord> DecodeVm(const cluster::KeyValue& kv, const std::string& id);
Result<std::string> EncodeIdempotency(const IdempotencyRecord& record);
Result<IdempotencyRecord> DecodeIdempotency(const cluster::KeyValue& kv, const std::string& key);
Result<std::string> EncodeToken(const TokenRecord& record);
Result<TokenRecord> DecodeToken(const cluster::KeyValue& kv, const std::string& id);

// An etcd failure as the store interfaces promise it: kInvalidArgument stays (e.g. a record
// too large for etcd), everything else - etcd down, slow, without quorum, out of space, a write
// whose outcome is unknown - is kUnavailable, which the API answers with 503. The message
// starts with `what` and keeps etcd's (which names the endpoint).
Status EtcdStoreError(const Status& status, std::string_view what);

template <typename T>
Result<T> OrStoreError(Result<T> result, std::string_view what) {
  if (result.ok()) return result;
  return EtcdStoreError(result.status(), what);
}

// Visits the keys of `query` (in key order, or creation order when query.by_create_revision)
// `page` keys per read, every read at the revision of the first so that the visit sees one
// snapshot, until `visit` returns false. When etcd compacts that revision before the scan is
// done, `restart` is called and the scan starts over at the latest revision (a few times at
// most). etcd failures come back as EtcdStoreError(..., what); `visit`'s own errors as they are.
Status ScanSnapshot(cluster::EtcdClient& client, cluster::EtcdClient::RangeQuery query,
                    int64_t page, std::string_view what, const std::function<void()>& restart,
                    const std::function<Result<bool>(const cluster::KeyValue&)>& visit);

// The read of a transaction's failure branch that is `key`, or nullptr when the key is missing.
const cluster::KeyValue* FindRead(const cluster::TxnResult& result, const std::string& key);

// How many times a read-check-write loop tries before giving up with kUnavailable: each retry
// means another writer got in between, so running out takes a storm of writes to one record.
inline constexpr int kEtcdStoreMaxAttempts = 16;

}  // namespace novacron::store
