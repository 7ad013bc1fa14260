// This node's part in the cluster (docs/cluster.md): keeps its session lease alive, publishes
// its NodeRecord, campaigns for leadership, and keeps a fresh view of the members and the
// leader for the API. It fences when the session is lost: `on_fenced` runs before etcd can have
// expired the lease, and the node acts on no VM until `on_rejoined`.
//
//   auto agent = ClusterAgent::Start(client, {.prefix = "/novacron/", .node_id = "n1", ...});
//   ClusterView view = agent->View();
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cluster/etcd_session.h"
#include "cluster/etcd_watch.h"
#include "cluster/leader_election.h"
#include "cluster/membership.h"

namespace novacron::cluster {

struct ClusterView {
  bool joined = false;  // our session is alive and our record is published
  std::optional<Leadership> leader{};
  bool is_leader = false;
  MemberList members{};
  std::string error{};  // the last etcd failure of the refresh, "" when it worked
  std::chrono::system_clock::time_point refreshed_at{};
  int64_t leader_changes = 0;
};

class ClusterAgent {
 public:
  struct Options {
    std::string prefix = "/novacron/";
    std::string node_id{};
    std::chrono::seconds lease_ttl{10};
    // The view refreshes at once when a watched key changes (members, cordons, the leader), and
    // at least this often regardless.
    std::chrono::milliseconds tick{2000};
    std::function<NodeRecord()> describe{};  // this node's record, on every publish
    std::function<void()> on_fenced{};       // the session is lost: stop touching VMs
    std::function<void()> on_rejoined{};     // a member again, with a new lease
    std::function<void(const std::optional<Leadership>&)> on_leader_change{};
    std::function<void(std::chrono::duration<double>, bool)> on_renewal{};
    std::function<void(const ClusterView&)> on_refresh{};  // after every refresh (metrics)
    // Watch lag: from this node's own publish to its watch delivering that change.
    std::function<void(std::chrono::duration<double>)> on_watch_lag{};
  };

  static std::unique_ptr<ClusterAgent> Start(EtcdClient& client, Options options);
  // Resigns leadership and revokes the lease, so the others see the node leave at once.
  ~ClusterAgent();
  ClusterAgent(const ClusterAgent&) = delete;
  ClusterAgent& operator=(const ClusterAgent&) = delete;

  ClusterView View() const;
  // Refreshes the view now instead of at the next tick.
  void Refresh();

  Membership& membership() { return membership_; }
  LeaderElection& election() { return election_; }
  const EtcdSession& session() const { return *session_; }

 private:
  ClusterAgent(EtcdClient& client, Options options);
  void Run();
  // One round: publish when needed, campaign or look up the leader, list the members.
  void Tick();
  void OnSession(bool alive, int64_t lease);
  // Watch events: refresh now; time our own publish's round trip through the watch.
  void OnEvents(const std::vector<WatchEvent>& events);

  const Options options_;
  Membership membership_;
  LeaderElection election_;
  std::unique_ptr<EtcdSession> session_;
  std::vector<std::unique_ptr<EtcdWatch>> watches_;  // nodes/, alive/, cordon/, leader
  std::atomic<int64_t> published_lease_{0};          // the lease alive/<id> was last written with
  std::string published_record_;                     // only touched by the agent thread
  // The revision and time of the last publish, until the watch delivers it.
  int64_t lag_revision_ = 0;                           // guarded by mu_
  std::chrono::steady_clock::time_point lag_since_{};  // guarded by mu_
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;     // guarded by mu_
  bool refresh_now_ = false;  // guarded by mu_
  ClusterView view_;          // guarded by mu_
  std::thread thread_;
};

}  // namespace novacron::cluster
