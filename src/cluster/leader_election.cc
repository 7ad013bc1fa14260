#include "cluster/leader_election.h"

namespace novacron::cluster {
namespace {

Leadership FromKv(const KeyValue& kv) { return {kv.value, kv.create_revision, kv.lease}; }

}  // namespace

LeaderElection::LeaderElection(EtcdClient& client, std::string prefix, std::string node_id)
    : client_(client), key_(std::move(prefix) + "leader"), node_id_(std::move(node_id)) {}

Result<Leadership> LeaderElection::Campaign(int64_t lease) {
  Txn txn;
  txn.compare = {Compare::Missing(key_)};
  txn.success = {TxnOp::Put(key_, node_id_, lease), TxnOp::Get(key_)};
  txn.failure = {TxnOp::Get(key_)};
  NOVACRON_ASSIGN_OR_RETURN(TxnResult result, client_.Commit(txn));
  if (result.reads.empty()) {
    // The key vanished between the compare and the read: impossible in one transaction unless
    // the lease was already gone. Nobody leads; the next campaign will tell.
    return Unavailable("leader key " + key_ + " could not be read back");
  }
  return FromKv(result.reads.front());
}

Result<std::optional<Leadership>> LeaderElection::Current() {
  NOVACRON_ASSIGN_OR_RETURN(std::optional<KeyValue> kv, client_.Get(key_));
  if (!kv) return std::optional<Leadership>();
  return std::optional<Leadership>(FromKv(*kv));
}

Status LeaderElection::Resign(const Leadership& term) {
  Txn txn;
  txn.compare = {term.Guard(key_)};
  txn.success = {TxnOp::Delete(key_)};
  return client_.Commit(txn).status();
}

}  // namespace novacron::cluster
