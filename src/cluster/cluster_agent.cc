#include "cluster/cluster_agent.h"

namespace novacron::cluster {
namespace {

// Even an unchanged record is written again this often, so updated_at shows the node is
// current (allocation changes are published at the next tick).
constexpr auto kRepublishEvery = std::chrono::seconds(30);

}  // namespace

std::unique_ptr<ClusterAgent> ClusterAgent::Start(EtcdClient& client, Options options) {
  std::unique_ptr<ClusterAgent> agent(new ClusterAgent(client, std::move(options)));
  EtcdSession::Options session;
  session.ttl = agent->options_.lease_ttl;
  session.on_change = [a = agent.get()](bool alive, int64_t lease) { a->OnSession(alive, lease); };
  session.on_renewal = agent->options_.on_renewal;
  agent->session_ = EtcdSession::Start(client, std::move(session));
  const std::string& prefix = agent->options_.prefix;
  for (const std::string& watched :
       {prefix + "nodes/", prefix + "alive/", prefix + "cordon/", agent->election_.key()}) {
    // From now on (revision 0): the first refresh reads everything before that.
    agent->watches_.push_back(EtcdWatch::Start(
        client, watched, 0,
        [a = agent.get()](const std::vector<WatchEvent>& events) { a->OnEvents(events); },
        // Compacted while away: the next refresh lists everything again; keep watching.
        nullptr));
  }
  agent->thread_ = std::thread([a = agent.get()] { a->Run(); });
  return agent;
}

ClusterAgent::ClusterAgent(EtcdClient& client, Options options)
    : options_(std::move(options)),
      membership_(client, options_.prefix),
      election_(client, options_.prefix, options_.node_id) {}

ClusterAgent::~ClusterAgent() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  watches_.clear();
  std::optional<Leadership> leader;
  {
    std::lock_guard lock(mu_);
    leader = view_.leader;
  }
  if (leader && leader->node_id == options_.node_id) (void)election_.Resign(*leader);
  session_.reset();  // revokes the lease: alive/<id> goes now, not after the TTL
}

ClusterView ClusterAgent::View() const {
  std::lock_guard lock(mu_);
  return view_;
}

void ClusterAgent::Refresh() {
  {
    std::lock_guard lock(mu_);
    refresh_now_ = true;
  }
  wake_.notify_all();
}

void ClusterAgent::OnEvents(const std::vector<WatchEvent>& events) {
  std::optional<std::chrono::duration<double>> lag;
  {
    std::lock_guard lock(mu_);
    if (lag_revision_ != 0) {
      const std::string own = membership_.AliveKey(options_.node_id);
      for (const WatchEvent& e : events) {
        if (e.kv.key == own && e.kv.mod_revision >= lag_revision_) {
          lag = std::chrono::steady_clock::now() - lag_since_;
          lag_revision_ = 0;
          break;
        }
      }
    }
    refresh_now_ = true;
  }
  wake_.notify_all();
  if (lag && options_.on_watch_lag) options_.on_watch_lag(*lag);
}

void ClusterAgent::OnSession(bool alive, int64_t lease) {
  if (alive) {
    Refresh();  // publish with the new lease right away
    return;
  }
  // Lost: etcd may already have expired the lease, or will any moment. Fence first.
  published_lease_ = 0;
  {
    std::lock_guard lock(mu_);
    view_.joined = false;
    view_.is_leader = false;
  }
  if (options_.on_fenced) options_.on_fenced();
  (void)lease;
}

void ClusterAgent::Run() {
  auto last_publish = std::chrono::steady_clock::time_point();
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.tick, [&] { return stopping_ || refresh_now_; });
      if (stopping_) return;
      refresh_now_ = false;
    }
    const int64_t lease = session_->lease();
    if (lease != 0 && options_.describe) {
      NodeRecord record = options_.describe();
      record.node_id = options_.node_id;
      std::string encoded = EncodeNodeRecord(record);
      const bool rejoining = published_lease_.load() != lease;
      const auto now = std::chrono::steady_clock::now();
      if (rejoining || encoded != published_record_ || now - last_publish > kRepublishEvery) {
        record.updated_at = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        const auto sent = std::chrono::steady_clock::now();
        if (Result<int64_t> revision = membership_.Publish(record, lease); revision.ok()) {
          {
            std::lock_guard lock(mu_);
            lag_revision_ = *revision;
            lag_since_ = sent;
          }
          published_record_ = std::move(encoded);
          last_publish = now;
          published_lease_ = lease;
          if (rejoining && options_.on_rejoined) options_.on_rejoined();
        }
      }
    }
    Tick();
  }
}

void ClusterAgent::Tick() {
  const int64_t lease = session_->lease();
  const bool joined = lease != 0 && published_lease_.load() == lease;
  std::string error;
  std::optional<Leadership> leader;
  Result<std::optional<Leadership>> current = election_.Current();
  if (!current.ok()) {
    error = current.status().message();
  } else {
    leader = *current;
    if (!leader && joined) {
      Result<Leadership> won = election_.Campaign(lease);
      if (won.ok()) {
        leader = *won;
      } else {
        error = won.status().message();
      }
    }
  }
  Result<MemberList> members = membership_.List();
  if (!members.ok() && error.empty()) error = members.status().message();

  std::optional<Leadership> changed_to;
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    view_.joined = joined && session_->lease() == lease;
    view_.error = error;
    view_.refreshed_at = std::chrono::system_clock::now();
    if (current.ok()) {
      const int64_t before = view_.leader ? view_.leader->term : 0;
      const int64_t after = leader ? leader->term : 0;
      if (before != after) {
        changed = true;
        changed_to = leader;
        if (after != 0) ++view_.leader_changes;
      }
      view_.leader = leader;
    }
    view_.is_leader = view_.joined && view_.leader && view_.leader->node_id == options_.node_id &&
                      view_.leader->lease == lease;
    if (members.ok()) view_.members = std::move(members).value();
  }
  if (changed && options_.on_leader_change) options_.on_leader_change(changed_to);
  if (options_.on_refresh) options_.on_refresh(View());
}

}  // namespace novacron::cluster
