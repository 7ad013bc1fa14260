// Connecting to the cluster's etcd from the configuration (cluster.etcd_* keys), shared by the
// components that talk to it: the database (the records, docs/cluster.md "Records in etcd") and
// the cluster agent. Each keeps its own client, so the agent's lease renewals never queue behind
// store traffic.
#pragma once

#include <memory>
#include <stop_token>

#include "cluster/etcd_client.h"
#include "common/status.h"
#include "config/config.h"

namespace novacron::components {

// "a:2379,b:2379", for messages and logs.
std::string JoinEndpoints(const std::vector<std::string>& endpoints);

// A client for cluster.etcd_endpoints with the TLS files; connects lazily. With `stale_reads`,
// reads fall back to a member's last known state while etcd has no quorum (the records' client:
// docs/cluster.md, "etcd without quorum").
Result<std::shared_ptr<cluster::EtcdClient>> ConnectEtcd(const config::ClusterConfig& cluster,
                                                         bool stale_reads = false);

// Waits until some endpoint answers and sees a leader, up to cluster.etcd_dial_timeout (or a
// stop request): kUnavailable naming every endpoint and the last failure otherwise.
Status ReachEtcd(cluster::EtcdClient& client, const config::ClusterConfig& cluster,
                 std::stop_token stop);

}  // namespace novacron::components
