// This node's lease in etcd, kept alive (docs/cluster.md, "Membership and fencing"). The keys
// that say "this node is up" and "this node leads" hang on it, so they vanish together when the
// node goes silent for the lease TTL.
//
// Self-fencing rests on one rule: the session declares itself expired before etcd can have
// expired the lease. A renewal sent at time t keeps etcd's lease until at least t + TTL (etcd
// receives it after t), so the session counts its deadline from the send time of the last renewal
// that succeeded, and reports "expired" a margin before that deadline (a quarter of the TTL, at
// most 1 s: room for a late timer or a busy thread) unless another renewal got through.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "cluster/etcd_client.h"

namespace novacron::cluster {

// How long before its lease deadline a node declares itself fenced: a quarter of the TTL, at most
// 1 s (room for a late timer or a busy thread). The simulator uses the same rule.
std::chrono::nanoseconds FenceMargin(std::chrono::seconds ttl);

class EtcdSession {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::seconds ttl{10};
    // On the session's thread: true when a (new) lease was granted, false when the lease is
    // lost (expired, or not renewed in time). Consumers re-register keys on true and fence on
    // false.
    std::function<void(bool alive, int64_t lease)> on_change{};
    // Observes each renewal's round trip (metrics).
    std::function<void(std::chrono::duration<double> latency, bool ok)> on_renewal{};
  };

  // Starts the keepalive thread; it grants the first lease at once (retrying while etcd is
  // unreachable). `client` must outlive the session.
  static std::unique_ptr<EtcdSession> Start(EtcdClient& client, Options options);
  // Stops renewing and revokes the lease (best effort), so the node's keys go at once.
  ~EtcdSession();
  EtcdSession(const EtcdSession&) = delete;
  EtcdSession& operator=(const EtcdSession&) = delete;

  // The current lease id, 0 while there is none.
  int64_t lease() const { return lease_.load(); }
  bool alive() const { return lease_.load() != 0; }
  // The earliest time etcd may drop the lease unless a renewal succeeds before.
  Clock::time_point deadline() const;
  // deadline() - FenceMargin(): when the session reports itself expired.
  Clock::time_point FencePoint() const;
  Clock::duration FenceMargin() const;
  std::chrono::seconds ttl() const { return options_.ttl; }

 private:
  EtcdSession(EtcdClient& client, Options options);
  void Run();
  void Grant();
  // True when the lease was renewed; may Expire().
  bool Renew();
  void Expire();
  // Sleeps `delay` unless the session is stopping; false when it is.
  bool Wait(Clock::duration delay);

  EtcdClient& client_;
  const Options options_;
  std::atomic<int64_t> lease_{0};
  std::atomic<int64_t> deadline_ns_{0};  // Clock ticks of deadline(), for other threads
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace novacron::cluster
