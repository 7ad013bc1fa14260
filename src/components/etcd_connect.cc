#include "components/etcd_connect.h"

#include <thread>

#include "lifecycle/clock.h"

namespace novacron::components {
std::string JoinEndpoints(const std::vector<std::string>& endpoints) {
  std::string out;
  for (const std::string& e : endpoints) out += (out.empty() ? "" : ",") + e;
  return out;
}

Result<std::shared_ptr<cluster::EtcdClient>> ConnectEtcd(const config::ClusterConfig& cluster,
                                                         bool stale_reads) {
  cluster::EtcdOptions options;
  options.endpoints = cluster.etcd_endpoints;
  options.ca_file = cluster.etcd_ca_file;
  options.cert_file = cluster.etcd_cert_file;
  options.key_file = cluster.etcd_key_file;
  options.call_timeout = std::chrono::seconds(5);
  options.stale_reads_without_quorum = stale_reads;
  NOVACRON_ASSIGN_OR_RETURN(std::unique_ptr<cluster::EtcdClient> client,
                            cluster::EtcdClient::Connect(std::move(options)));
  return std::shared_ptr<cluster::EtcdClient>(std::move(client));
}

Status ReachEtcd(cluster::EtcdClient& client, const config::ClusterConfig& cluster,
                 std::stop_token stop) {
  const auto deadline = lifecycle::Clock::now() + cluster.etcd_dial_timeout;
  std::string last;
  while (true) {
    for (const cluster::EndpointStatus& status : client.Health()) {
      if (status.reachable && status.leader_id != 0) return {};
      last = status.reachable ? status.endpoint + " has no leader (no quorum)" : status.error;
    }
    if (lifecycle::Clock::now() >= deadline || stop.stop_requested()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Unavailable(
      "cannot reach etcd at " + JoinEndpoints(cluster.etcd_endpoints) + " within " +
      std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(cluster.etcd_dial_timeout).count()) +
      "s (cluster.etcd_dial_timeout): " + last);
}

}  // namespace novacron::components
