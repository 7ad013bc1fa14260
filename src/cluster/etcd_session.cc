#include "cluster/etcd_session.h"

#include <algorithm>

namespace novacron::cluster {
namespace {

// After a failed grant or renewal: try again soon, well inside the TTL.
constexpr auto kRetryDelay = std::chrono::milliseconds(300);

}  // namespace

std::unique_ptr<EtcdSession> EtcdSession::Start(EtcdClient& client, Options options) {
  std::unique_ptr<EtcdSession> session(new EtcdSession(client, std::move(options)));
  session->thread_ = std::thread([s = session.get()] { s->Run(); });
  return session;
}

EtcdSession::EtcdSession(EtcdClient& client, Options options)
    : client_(client), options_(std::move(options)) {}

EtcdSession::~EtcdSession() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (int64_t lease = lease_.exchange(0); lease != 0) (void)client_.RevokeLease(lease);
}

EtcdSession::Clock::time_point EtcdSession::deadline() const {
  return Clock::time_point(Clock::duration(deadline_ns_.load()));
}

bool EtcdSession::Wait(Clock::duration delay) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, delay, [&] { return stopping_; });
}

std::chrono::nanoseconds FenceMargin(std::chrono::seconds ttl) {
  return std::min<std::chrono::nanoseconds>(std::chrono::nanoseconds(ttl) / 4,
                                            std::chrono::seconds(1));
}

EtcdSession::Clock::duration EtcdSession::FenceMargin() const {
  return std::chrono::duration_cast<Clock::duration>(cluster::FenceMargin(options_.ttl));
}

EtcdSession::Clock::time_point EtcdSession::FencePoint() const {
  return deadline() - FenceMargin();
}

void EtcdSession::Run() {
  while (true) {
    Clock::duration delay;
    if (lease_.load() == 0) {
      Grant();
      delay = lease_.load() != 0 ? Clock::duration(options_.ttl) / 3 : kRetryDelay;
    } else {
      const bool renewed = Renew();
      // A failed renewal is retried soon. Never sleep past the fence point: the next Renew()
      // then fences at once.
      delay = renewed ? Clock::duration(options_.ttl) / 3 : Clock::duration(kRetryDelay);
      if (lease_.load() != 0) {
        delay = std::max(Clock::duration::zero(), std::min(delay, FencePoint() - Clock::now()));
      }
    }
    if (!Wait(delay)) return;
  }
}

void EtcdSession::Grant() {
  const Clock::time_point sent = Clock::now();
  Result<int64_t> lease = client_.GrantLease(options_.ttl);
  if (!lease.ok()) return;
  deadline_ns_ = (sent + options_.ttl).time_since_epoch().count();
  lease_ = *lease;
  if (options_.on_change) options_.on_change(true, *lease);
}

bool EtcdSession::Renew() {
  const int64_t lease = lease_.load();
  const Clock::time_point sent = Clock::now();
  // Never wait past the fence point: by then the node must know it is out.
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(FencePoint() - sent);
  if (left.count() <= 0) {
    Expire();
    return false;
  }
  Result<std::chrono::seconds> renewed = client_.KeepAliveOnce(lease, left);
  const Clock::time_point answered = Clock::now();
  if (options_.on_renewal) options_.on_renewal(answered - sent, renewed.ok());
  if (renewed.ok()) {
    deadline_ns_ = (sent + *renewed).time_since_epoch().count();
    return true;
  }
  // kNotFound: etcd already dropped the lease. Otherwise etcd may still hold it, until the
  // deadline of the last renewal that got through: fence a margin before it.
  if (renewed.status().code() == ErrorCode::kNotFound || answered >= FencePoint()) Expire();
  return false;
}

void EtcdSession::Expire() {
  const int64_t lease = lease_.exchange(0);
  if (lease != 0 && options_.on_change) options_.on_change(false, lease);
}

}  // namespace novacron::cluster
