// Internals of the etcd client shared by etcd_client.cc and etcd_watch.cc: the channel per
// endpoint, failover, status mapping and message conversion. Includes gRPC: only for cluster/.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cluster/etcd_client.h"
#include "etcdserverpb/rpc.grpc.pb.h"

namespace novacron::cluster {

// Whether a failed call may be sent again elsewhere.
enum class Retry {
  kIfUnavailable,     // reads: any UNAVAILABLE
  kIfNeverConnected,  // writes: only when the endpoint had no connection, so nothing was sent
};

struct EtcdClient::Impl {
  EtcdOptions options;
  std::vector<std::shared_ptr<grpc::Channel>> channels;  // one per endpoint, fixed after Connect
  std::atomic<size_t> current{0};                        // the endpoint calls go to first

  // Runs `call(channel, context)` -> grpc::Status on the current endpoint; on a
  // retriable failure moves to the next one, until every endpoint was tried or the deadline
  // passed (call_timeout, or `timeout` when positive). Returns OK or the last failure, mapped and
  // naming `what` and the endpoint.
  template <typename Call>
  Status Run(std::string_view what, Retry retry, Call&& call,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // Stale reads (EtcdOptions::stale_reads_without_quorum): whether the last read had to be
  // serializable, and when a linearizable read was last tried (steady clock, ns).
  std::atomic<bool> stale{false};
  std::atomic<int64_t> last_linearizable_try_ns{0};

  // A Range call with the stale-read fallback; `out_of_range` (optional) tells a compacted
  // revision apart.
  Status ReadRange(std::string_view what, etcdserverpb::RangeRequest& request,
                   etcdserverpb::RangeResponse& response, bool* out_of_range = nullptr);

  std::chrono::system_clock::time_point Deadline() const {
    return std::chrono::system_clock::now() + options.call_timeout;
  }
};

// grpc::Status -> Status: UNAVAILABLE -> kUnavailable, DEADLINE_EXCEEDED -> kDeadlineExceeded,
// NOT_FOUND -> kNotFound, ...; the message names `what` and the endpoint.
Status FromGrpc(const grpc::Status& status, std::string_view what, const std::string& endpoint);

KeyValue FromProto(const mvccpb::KeyValue& kv);

// The key just after every key starting with `prefix`: etcd's range_end for a prefix query.
std::string PrefixEnd(const std::string& prefix);

// The channel arguments and credentials of every connection to etcd.
Result<std::shared_ptr<grpc::Channel>> MakeEtcdChannel(const EtcdOptions& options,
                                                       const std::string& endpoint);

template <typename Call>
Status EtcdClient::Impl::Run(std::string_view what, Retry retry, Call&& call,
                             std::chrono::milliseconds timeout) {
  const auto deadline =
      timeout.count() > 0 ? std::chrono::system_clock::now() + timeout : Deadline();
  Status last = Unavailable("etcd: no endpoint");
  const size_t count = channels.size();
  size_t index = current.load();
  for (size_t attempt = 0; attempt < count; ++attempt, index = (index + 1) % count) {
    if (std::chrono::system_clock::now() >= deadline) break;
    const grpc_connectivity_state before = channels[index]->GetState(/*try_to_connect=*/true);
    grpc::ClientContext context;
    context.set_deadline(deadline);
    grpc::Status status = call(channels[index], context);
    if (status.ok()) {
      current.store(index);
      return Status::Ok();
    }
    last = FromGrpc(status, what, options.endpoints[index]);
    const bool unavailable = status.error_code() == grpc::StatusCode::UNAVAILABLE;
    const bool never_connected = before != GRPC_CHANNEL_READY;
    if (!unavailable || (retry == Retry::kIfNeverConnected && !never_connected)) break;
    current.store((index + 1) % count);  // later calls start at the next endpoint too
  }
  return last;
}

}  // namespace novacron::cluster
