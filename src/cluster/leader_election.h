// One leader per cluster (docs/cluster.md, "Leadership"): the node that created
// <prefix>leader, bound to its session lease. The key's create_revision identifies a term: every
// leader action is a transaction that compares it (Leadership::Guard), so a deposed leader, whose
// key expired and was created again by another node, cannot write.
#pragma once

#include <optional>
#include <string>

#include "cluster/etcd_client.h"

namespace novacron::cluster {

struct Leadership {
  std::string node_id{};
  int64_t term = 0;  // create_revision of the leader key: unique per term
  int64_t lease = 0;
  // Holds exactly while this term lasts; put it first in every leader transaction.
  Compare Guard(const std::string& key) const { return Compare::CreateRevisionIs(key, term); }
};

class LeaderElection {
 public:
  LeaderElection(EtcdClient& client, std::string prefix, std::string node_id);

  // Becomes leader with `lease` when nobody leads; returns who leads after the attempt.
  Result<Leadership> Campaign(int64_t lease);
  // Who leads now, nullopt when nobody does.
  Result<std::optional<Leadership>> Current();
  // Steps down if `term` is still ours; harmless otherwise.
  Status Resign(const Leadership& term);

  const std::string& key() const { return key_; }
  const std::string& node_id() const { return node_id_; }

 private:
  EtcdClient& client_;
  const std::string key_;
  const std::string node_id_;
};

}  // namespace novacron::cluster
