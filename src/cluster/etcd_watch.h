// A watch on every key under a prefix that survives reconnects (docs/cluster.md, "etcd"): it
// resumes from the revision after the last event it delivered, on whichever endpoint answers,
// so no event is lost or delivered twice across an etcd member restart.
//
//   auto range = client.GetPrefix("/novacron/vms/");          // the state, at range->revision
//   auto watch = EtcdWatch::Start(client, "/novacron/vms/", range->revision + 1,
//                                 [](const std::vector<WatchEvent>& events) { ... },
//                                 [](int64_t compacted) { /* re-list, watch again */ });
//
// Callbacks run on the watch's own thread, one at a time. When etcd has compacted the history
// the watch needs (it was away too long), `on_compacted` runs and the watch ends: the consumer
// lists again and starts a new one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.h"
#include "cluster/etcd_types.h"

namespace grpc {
class ClientContext;
}

namespace novacron::cluster {

class EtcdWatch {
 public:
  using OnEvents = std::function<void(const std::vector<WatchEvent>& events)>;
  using OnCompacted = std::function<void(int64_t compact_revision)>;

  // Starts watching `prefix` from `start_revision` (0 = from now). `client` must outlive the
  // watch.
  static std::unique_ptr<EtcdWatch> Start(EtcdClient& client, std::string prefix,
                                          int64_t start_revision, OnEvents on_events,
                                          OnCompacted on_compacted);
  ~EtcdWatch();  // Stop()
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

  // Ends the stream and joins the thread; no callback runs after it returns. Idempotent; not
  // from a callback.
  void Stop();

  // The revision the watch resumes from after a reconnect.
  int64_t next_revision() const { return next_revision_.load(); }
  // Times the stream was (re)established; 1 after the first connection.
  int64_t connections() const { return connections_.load(); }
  bool ended() const { return ended_.load(); }

 private:
  EtcdWatch(EtcdClient& client, std::string prefix, int64_t start_revision, OnEvents on_events,
            OnCompacted on_compacted);
  void Run();
  // One stream on the current endpoint until it breaks; false when the watch must end.
  bool Stream();
  // Waits `delay` unless Stop() comes first; false when stopping.
  bool Backoff(std::chrono::milliseconds delay);

  EtcdClient& client_;
  const std::string prefix_;
  const OnEvents on_events_;
  const OnCompacted on_compacted_;
  std::atomic<int64_t> next_revision_;
  std::atomic<int64_t> connections_{0};
  std::atomic<bool> ended_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                   // guarded by mu_
  grpc::ClientContext* context_ = nullptr;  // guarded by mu_: the live stream's, to cancel it
  std::thread thread_;
};

}  // namespace novacron::cluster
