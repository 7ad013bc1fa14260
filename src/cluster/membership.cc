#include "cluster/membership.h"

#include <algorithm>
#include <map>

namespace novacron::cluster {
namespace {

// "<prefix>alive/n1" -> "n1" given "<prefix>alive/".
std::string Suffix(const std::string& key, const std::string& dir) {
  return key.substr(dir.size());
}

}  // namespace

Membership::Membership(EtcdClient& client, std::string prefix)
    : client_(client), prefix_(std::move(prefix)) {}

Result<int64_t> Membership::Publish(const NodeRecord& record, int64_t lease) {
  if (!IsValidNodeId(record.node_id)) {
    return InvalidArgument("node id '" + record.node_id + "' is not [A-Za-z0-9._-]{1,63}");
  }
  Txn txn;
  txn.success = {TxnOp::Put(NodeKey(record.node_id), EncodeNodeRecord(record)),
                 TxnOp::Put(AliveKey(record.node_id), std::to_string(lease), lease)};
  Result<TxnResult> result = client_.Commit(txn);
  if (!result.ok()) return result.status().Wrap("publish node " + record.node_id);
  return result->revision;
}

Result<MemberList> Membership::List() {
  const std::string nodes_dir = prefix_ + "nodes/";
  const std::string alive_dir = prefix_ + "alive/";
  const std::string cordon_dir = prefix_ + "cordon/";
  TxnOp nodes = TxnOp::Get(nodes_dir);
  TxnOp alive = TxnOp::Get(alive_dir);
  TxnOp cordon = TxnOp::Get(cordon_dir);
  nodes.prefix = alive.prefix = cordon.prefix = true;
  // One transaction: the three reads see the same revision.
  NOVACRON_ASSIGN_OR_RETURN(TxnResult read, client_.Commit({.success = {nodes, alive, cordon}}));
  std::map<std::string, int64_t> leases;
  std::map<std::string, bool> cordoned;
  std::vector<NodeRecord> records;
  for (const KeyValue& kv : read.reads) {
    if (kv.key.rfind(nodes_dir, 0) == 0) {
      Result<NodeRecord> record = DecodeNodeRecord(kv.value, kv.key);
      if (record.ok()) records.push_back(std::move(record).value());  // skip what we cannot read
    } else if (kv.key.rfind(alive_dir, 0) == 0) {
      leases[Suffix(kv.key, alive_dir)] = kv.lease;
    } else if (kv.key.rfind(cordon_dir, 0) == 0) {
      cordoned[Suffix(kv.key, cordon_dir)] = true;
    }
  }
  MemberList list;
  list.revision = read.revision;
  for (NodeRecord& record : records) {
    Member member;
    auto lease = leases.find(record.node_id);
    if (lease == leases.end()) {
      member.state = MemberState::kLost;
    } else {
      member.lease = lease->second;
      member.state = cordoned.count(record.node_id) ? MemberState::kCordoned : MemberState::kReady;
    }
    member.record = std::move(record);
    list.members.push_back(std::move(member));
  }
  std::sort(list.members.begin(), list.members.end(),
            [](const Member& a, const Member& b) { return a.record.node_id < b.record.node_id; });
  return list;
}

Status Membership::SetCordoned(const std::string& node_id, bool cordoned) {
  Txn txn;
  // mod_revision > 0: the node's record exists.
  txn.compare = {
      Compare{NodeKey(node_id), Compare::Target::kModRevision, Compare::Op::kGreater, 0, {}}};
  txn.success = {cordoned ? TxnOp::Put(CordonKey(node_id), "1")
                          : TxnOp::Delete(CordonKey(node_id))};
  NOVACRON_ASSIGN_OR_RETURN(TxnResult result, client_.Commit(txn));
  if (!result.succeeded) return NotFound("node " + node_id + " is not a member of this cluster");
  return Status::Ok();
}

Status Membership::Forget(const std::string& node_id) {
  Txn txn;
  txn.compare = {
      Compare::Missing(AliveKey(node_id)),
      Compare{NodeKey(node_id), Compare::Target::kModRevision, Compare::Op::kGreater, 0, {}}};
  txn.success = {TxnOp::Delete(NodeKey(node_id)), TxnOp::Delete(CordonKey(node_id))};
  txn.failure = {TxnOp::Get(AliveKey(node_id))};
  NOVACRON_ASSIGN_OR_RETURN(TxnResult result, client_.Commit(txn));
  if (result.succeeded) return Status::Ok();
  if (!result.reads.empty()) {
    return FailedPrecondition("node " + node_id + " is alive; only a lost node can be removed");
  }
  return NotFound("node " + node_id + " is not a member of this cluster");
}

}  // namespace novacron::cluster
