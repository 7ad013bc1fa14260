// Cluster membership in etcd (docs/cluster.md, "Membership"). Three keys per node under the
// cluster prefix:
//   nodes/<id>   the NodeRecord, kept after the node goes (so it can be shown as lost)
//   alive/<id>   bound to the node's session lease: present while the node renews it
//   cordon/<id>  present while an operator has cordoned the node (placement skips it)
// A node is lost when alive/<id> is missing, cordoned when cordon/<id> exists, else ready.
#pragma once

#include <string>
#include <vector>

#include "cluster/etcd_client.h"
#include "cluster/node_record.h"

namespace novacron::cluster {

struct Member {
  NodeRecord record{};
  MemberState state = MemberState::kLost;
  int64_t lease = 0;  // of alive/<id>; 0 when lost
};

struct MemberList {
  std::vector<Member> members{};  // sorted by node id
  int64_t revision = 0;           // etcd revision the list was read at
};

class Membership {
 public:
  // `prefix` ends in '/': "/novacron/".
  Membership(EtcdClient& client, std::string prefix);

  // Writes nodes/<id> and alive/<id> (bound to `lease`) in one transaction; returns its
  // revision.
  Result<int64_t> Publish(const NodeRecord& record, int64_t lease);
  // Every node ever published and not forgotten, with its state, read at one revision.
  Result<MemberList> List();
  // Sets or clears cordon/<id>; kNotFound for a node that never joined.
  Status SetCordoned(const std::string& node_id, bool cordoned);
  // Removes a lost node's records; kFailedPrecondition while it is alive.
  Status Forget(const std::string& node_id);

  std::string NodeKey(const std::string& id) const { return prefix_ + "nodes/" + id; }
  std::string AliveKey(const std::string& id) const { return prefix_ + "alive/" + id; }
  std::string CordonKey(const std::string& id) const { return prefix_ + "cordon/" + id; }

 private:
  EtcdClient& client_;
  const std::string prefix_;
};

}  // namespace novacron::cluster
