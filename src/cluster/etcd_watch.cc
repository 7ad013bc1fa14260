#include "cluster/etcd_watch.h"

#include <algorithm>

#include "cluster/etcd_client_internal.h"

namespace novacron::cluster {
namespace {

constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);

}  // namespace

std::unique_ptr<EtcdWatch> EtcdWatch::Start(EtcdClient& client, std::string prefix,
                                            int64_t start_revision, OnEvents on_events,
                                            OnCompacted on_compacted) {
  std::unique_ptr<EtcdWatch> watch(new EtcdWatch(client, std::move(prefix), start_revision,
                                                 std::move(on_events), std::move(on_compacted)));
  watch->thread_ = std::thread([w = watch.get()] { w->Run(); });
  return watch;
}

EtcdWatch::EtcdWatch(EtcdClient& client, std::string prefix, int64_t start_revision,
                     OnEvents on_events, OnCompacted on_compacted)
    : client_(client),
      prefix_(std::move(prefix)),
      on_events_(std::move(on_events)),
      on_compacted_(std::move(on_compacted)),
      next_revision_(start_revision) {}

EtcdWatch::~EtcdWatch() { Stop(); }

void EtcdWatch::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool EtcdWatch::Backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, delay, [&] { return stopping_; });
}

void EtcdWatch::Run() {
  auto delay = kMinBackoff;
  while (true) {
    const int64_t before = connections_.load();
    if (!Stream()) break;
    // A stream that got going resets the backoff; one that never connected doubles it.
    delay = connections_.load() > before ? kMinBackoff : std::min(delay * 2, kMaxBackoff);
    if (!Backoff(delay)) break;
  }
  ended_ = true;
}

bool EtcdWatch::Stream() {
  EtcdClient::Impl& impl = client_.impl();
  const size_t index = impl.current.load() % impl.channels.size();
  grpc::ClientContext context;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    context_ = &context;
  }
  auto stream = etcdserverpb::Watch::NewStub(impl.channels[index])->Watch(&context);
  etcdserverpb::WatchRequest request;
  auto* create = request.mutable_create_request();
  create->set_key(prefix_);
  create->set_range_end(PrefixEnd(prefix_));
  create->set_start_revision(next_revision_.load());
  create->set_progress_notify(true);
  bool keep_going = true;
  if (stream->Write(request)) {
    etcdserverpb::WatchResponse response;
    bool counted = false;
    while (stream->Read(&response)) {
      if (!counted) {
        ++connections_;
        counted = true;
      }
      if (response.compact_revision() > 0) {
        if (on_compacted_) on_compacted_(response.compact_revision());
        keep_going = false;
        break;
      }
      if (response.canceled()) break;  // e.g. the member lost its leader: reconnect
      std::vector<WatchEvent> events;
      events.reserve(response.events_size());
      int64_t next = next_revision_.load();
      for (const auto& event : response.events()) {
        WatchEvent out;
        out.type = event.type() == mvccpb::Event::DELETE ? WatchEvent::Type::kDelete
                                                         : WatchEvent::Type::kPut;
        out.kv = FromProto(event.kv());
        next = std::max(next, event.kv().mod_revision() + 1);
        events.push_back(std::move(out));
      }
      if (response.created() && next == 0) {
        next = response.header().revision() + 1;  // "from now" is now this revision
      } else if (events.empty() && !response.created()) {
        // A progress notification: nothing under the prefix changed up to this revision.
        next = std::max(next, response.header().revision() + 1);
      }
      next_revision_ = next;
      if (!events.empty() && on_events_) on_events_(events);
    }
  }
  if (keep_going) {
    context.TryCancel();  // the server may still think the stream is open
  }
  stream->Finish();
  std::lock_guard lock(mu_);
  context_ = nullptr;
  if (stopping_) return false;
  if (keep_going) impl.current.store((index + 1) % impl.channels.size());
  return keep_going;
}

}  // namespace novacron::cluster
