#include "cluster/etcd_client.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "cluster/etcd_client_internal.h"

namespace novacron::cluster {
namespace {

using etcdserverpb::KV;
using etcdserverpb::Lease;
using etcdserverpb::Maintenance;

Result<std::string> ReadPem(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read the etcd " + std::string(what) + " " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void ToProto(const Compare& in, etcdserverpb::Compare* out) {
  out->set_key(in.key);
  switch (in.op) {
    case Compare::Op::kEqual:
      out->set_result(etcdserverpb::Compare::EQUAL);
      break;
    case Compare::Op::kNotEqual:
      out->set_result(etcdserverpb::Compare::NOT_EQUAL);
      break;
    case Compare::Op::kLess:
      out->set_result(etcdserverpb::Compare::LESS);
      break;
    case Compare::Op::kGreater:
      out->set_result(etcdserverpb::Compare::GREATER);
      break;
  }
  switch (in.target) {
    case Compare::Target::kModRevision:
      out->set_target(etcdserverpb::Compare::MOD);
      out->set_mod_revision(in.revision);
      break;
    case Compare::Target::kCreateRevision:
      out->set_target(etcdserverpb::Compare::CREATE);
      out->set_create_revision(in.revision);
      break;
    case Compare::Target::kVersion:
      out->set_target(etcdserverpb::Compare::VERSION);
      out->set_version(in.revision);
      break;
    case Compare::Target::kValue:
      out->set_target(etcdserverpb::Compare::VALUE);
      out->set_value(in.value);
      break;
  }
}

void ToProto(const TxnOp& in, etcdserverpb::RequestOp* out) {
  switch (in.kind) {
    case TxnOp::Kind::kPut: {
      auto* put = out->mutable_request_put();
      put->set_key(in.key);
      put->set_value(in.value);
      put->set_lease(in.lease);
      break;
    }
    case TxnOp::Kind::kDelete: {
      auto* del = out->mutable_request_delete_range();
      del->set_key(in.key);
      if (in.prefix) del->set_range_end(PrefixEnd(in.key));
      break;
    }
    case TxnOp::Kind::kGet: {
      auto* get = out->mutable_request_range();
      get->set_key(in.key);
      if (in.prefix) get->set_range_end(PrefixEnd(in.key));
      break;
    }
  }
}

}  // namespace

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

Status FromGrpc(const grpc::Status& status, std::string_view what, const std::string& endpoint) {
  std::string message =
      "etcd " + std::string(what) + " at " + endpoint + ": " +
      (status.error_message().empty() ? std::string("failed") : status.error_message());
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return Status::Ok();
    case grpc::StatusCode::UNAVAILABLE:
      return Unavailable(std::move(message));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return DeadlineExceeded(std::move(message));
    case grpc::StatusCode::NOT_FOUND:
      return NotFound(std::move(message));
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return InvalidArgument(std::move(message));
    case grpc::StatusCode::FAILED_PRECONDITION:
      return FailedPrecondition(std::move(message));
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return ResourceExhausted(std::move(message));
    case grpc::StatusCode::CANCELLED:
      return Cancelled(std::move(message));
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return PermissionDenied(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

KeyValue FromProto(const mvccpb::KeyValue& kv) {
  return KeyValue{kv.key(),          kv.value(),   kv.create_revision(),
                  kv.mod_revision(), kv.version(), kv.lease()};
}

Result<std::shared_ptr<grpc::Channel>> MakeEtcdChannel(const EtcdOptions& options,
                                                       const std::string& endpoint) {
  grpc::ChannelArguments args;
  // Notice a dead connection within seconds, not at the next TCP timeout; etcd refuses pings
  // more often than every 5 s (--grpc-keepalive-min-time).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 6000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 3000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Reconnect quickly to a member that comes back. (Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: it
  // is also the connect timeout, and a busy etcd needs more than 100 ms to answer.)
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.ca_file.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    NOVACRON_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(options.ca_file, "CA file"));
    if (!options.cert_file.empty()) {
      NOVACRON_ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                                ReadPem(options.cert_file, "client certificate"));
      NOVACRON_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem(options.key_file, "client key"));
    }
    credentials = grpc::SslCredentials(ssl);
  }
  return grpc::CreateCustomChannel(endpoint, credentials, args);
}

Result<std::vector<std::string>> ParseEtcdEndpoints(const std::vector<std::string>& endpoints,
                                                    bool tls) {
  if (endpoints.empty()) return InvalidArgument("no etcd endpoint given");
  std::vector<std::string> out;
  for (const std::string& raw : endpoints) {
    std::string entry = raw;
    if (entry.rfind("http://", 0) == 0) {
      if (tls) return InvalidArgument("etcd endpoint " + raw + " is http:// but TLS is set");
      entry = entry.substr(7);
    } else if (entry.rfind("https://", 0) == 0) {
      if (!tls) {
        return InvalidArgument("etcd endpoint " + raw + " is https:// but no CA file is set");
      }
      entry = entry.substr(8);
    }
    if (!entry.empty() && entry.back() == '/') entry.pop_back();
    size_t colon = entry.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size()) {
      return InvalidArgument("etcd endpoint '" + raw + "' is not host:port");
    }
    const std::string port = entry.substr(colon + 1);
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) {
        return InvalidArgument("etcd endpoint '" + raw + "' has a bad port");
      }
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) {
      return InvalidArgument("etcd endpoint '" + raw + "' has a bad port");
    }
    out.push_back(entry);
  }
  return out;
}

EtcdClient::EtcdClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EtcdClient::~EtcdClient() = default;

Result<std::unique_ptr<EtcdClient>> EtcdClient::Connect(EtcdOptions options) {
  if (options.call_timeout <= std::chrono::milliseconds(0)) {
    return InvalidArgument("etcd call timeout must be positive");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return InvalidArgument("etcd client certificate and key must be given together");
  }
  NOVACRON_ASSIGN_OR_RETURN(options.endpoints,
                            ParseEtcdEndpoints(options.endpoints, !options.ca_file.empty()));
  auto impl = std::make_unique<Impl>();
  for (const std::string& endpoint : options.endpoints) {
    NOVACRON_ASSIGN_OR_RETURN(auto channel, MakeEtcdChannel(options, endpoint));
    impl->channels.push_back(std::move(channel));
  }
  impl->options = std::move(options);
  return std::unique_ptr<EtcdClient>(new EtcdClient(std::move(impl)));
}

const EtcdOptions& EtcdClient::options() const { return impl_->options; }

bool EtcdClient::reads_stale() const { return impl_->stale.load(); }

Status EtcdClient::Impl::ReadRange(std::string_view what, etcdserverpb::RangeRequest& request,
                                   etcdserverpb::RangeResponse& response, bool* out_of_range) {
  auto range = [&](std::chrono::milliseconds timeout) {
    return Run(
        what, Retry::kIfUnavailable,
        [&](const auto& ch, auto& ctx) {
          grpc::Status result = KV::NewStub(ch)->Range(&ctx, request, &response);
          if (out_of_range != nullptr) {
            *out_of_range = result.error_code() == grpc::StatusCode::OUT_OF_RANGE;
          }
          return result;
        },
        timeout);
  };
  if (!options.stale_reads_without_quorum || request.serializable()) return range({});
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  const int64_t probe = std::chrono::nanoseconds(options.stale_probe_interval).count();
  const bool try_linearizable = !stale.load() || now - last_linearizable_try_ns.load() >= probe;
  Status linearizable = Unavailable("etcd: no quorum");
  if (try_linearizable) {
    last_linearizable_try_ns.store(now);
    // Without quorum a linearizable read waits for a leader until its deadline: keep it short,
    // a healthy etcd answers in milliseconds.
    linearizable = range(std::min(options.call_timeout, options.stale_probe_interval));
    if (linearizable.ok()) {
      stale.store(false);
      return linearizable;
    }
    if (linearizable.code() != ErrorCode::kUnavailable &&
        linearizable.code() != ErrorCode::kDeadlineExceeded) {
      return linearizable;
    }
  }
  request.set_serializable(true);
  Status serializable = range({});
  request.set_serializable(false);
  if (!serializable.ok()) return linearizable.ok() ? serializable : linearizable;
  stale.store(true);
  return serializable;
}

Result<std::optional<KeyValue>> EtcdClient::Get(const std::string& key) {
  etcdserverpb::RangeRequest request;
  request.set_key(key);
  etcdserverpb::RangeResponse response;
  NOVACRON_RETURN_IF_ERROR(impl_->ReadRange("get " + key, request, response));
  if (response.kvs_size() == 0) return std::optional<KeyValue>();
  return std::optional<KeyValue>(FromProto(response.kvs(0)));
}

Result<EtcdClient::Range> EtcdClient::GetPrefix(const std::string& prefix, int64_t limit) {
  etcdserverpb::RangeRequest request;
  request.set_key(prefix);
  request.set_range_end(PrefixEnd(prefix));
  request.set_limit(limit);
  // No sort options: etcd returns keys in key order anyway, and any sort makes it read the whole
  // range before applying the limit.
  etcdserverpb::RangeResponse response;
  NOVACRON_RETURN_IF_ERROR(impl_->ReadRange("list " + prefix, request, response));
  Range range;
  range.revision = response.header().revision();
  range.more = response.more();
  range.kvs.reserve(response.kvs_size());
  for (const auto& kv : response.kvs()) range.kvs.push_back(FromProto(kv));
  return range;
}

EtcdClient::RangeQuery EtcdClient::RangeQuery::Prefix(const std::string& prefix) {
  return {.key = prefix, .range_end = PrefixEnd(prefix)};
}

Result<EtcdClient::Range> EtcdClient::GetRange(const RangeQuery& query) {
  etcdserverpb::RangeRequest request;
  request.set_key(query.key);
  request.set_range_end(query.range_end);
  request.set_limit(query.limit);
  request.set_revision(query.revision);
  request.set_min_create_revision(query.min_create_revision);
  if (query.by_create_revision) {
    request.set_sort_target(etcdserverpb::RangeRequest::CREATE);
    request.set_sort_order(etcdserverpb::RangeRequest::ASCEND);
  }
  // Without a sort order etcd returns keys in key order and stops reading at `limit`.
  etcdserverpb::RangeResponse response;
  bool out_of_range = false;
  Status status = impl_->ReadRange("range " + query.key, request, response, &out_of_range);
  // etcd says OUT_OF_RANGE only for a compacted or future revision: not a bad argument of ours,
  // but a snapshot that is gone (callers read again at the latest revision).
  if (!status.ok() && out_of_range) return FailedPrecondition(status.message());
  NOVACRON_RETURN_IF_ERROR(status);
  Range range;
  range.revision = response.header().revision();
  range.more = response.more();
  range.kvs.reserve(response.kvs_size());
  for (const auto& kv : response.kvs()) range.kvs.push_back(FromProto(kv));
  return range;
}

Result<int64_t> EtcdClient::Put(const std::string& key, const std::string& value, int64_t lease) {
  etcdserverpb::PutRequest request;
  request.set_key(key);
  request.set_value(value);
  request.set_lease(lease);
  etcdserverpb::PutResponse response;
  NOVACRON_RETURN_IF_ERROR(impl_->Run(
      "put " + key, Retry::kIfNeverConnected,
      [&](const auto& ch, auto& ctx) { return KV::NewStub(ch)->Put(&ctx, request, &response); }));
  impl_->stale.store(false);  // a committed write needed a quorum: reads are current again
  return response.header().revision();
}

Result<int64_t> EtcdClient::Delete(const std::string& key, bool prefix) {
  etcdserverpb::DeleteRangeRequest request;
  request.set_key(key);
  if (prefix) request.set_range_end(PrefixEnd(key));
  etcdserverpb::DeleteRangeResponse response;
  NOVACRON_RETURN_IF_ERROR(
      impl_->Run("delete " + key, Retry::kIfNeverConnected, [&](const auto& ch, auto& ctx) {
        return KV::NewStub(ch)->DeleteRange(&ctx, request, &response);
      }));
  return response.deleted();
}

Result<TxnResult> EtcdClient::Commit(const Txn& txn) {
  etcdserverpb::TxnRequest request;
  for (const Compare& c : txn.compare) ToProto(c, request.add_compare());
  for (const TxnOp& op : txn.success) ToProto(op, request.add_success());
  for (const TxnOp& op : txn.failure) ToProto(op, request.add_failure());
  etcdserverpb::TxnResponse response;
  NOVACRON_RETURN_IF_ERROR(impl_->Run(
      "transaction", Retry::kIfNeverConnected,
      [&](const auto& ch, auto& ctx) { return KV::NewStub(ch)->Txn(&ctx, request, &response); }));
  impl_->stale.store(false);  // a committed transaction needed a quorum: reads are current again
  TxnResult result;
  result.succeeded = response.succeeded();
  result.revision = response.header().revision();
  for (const auto& op : response.responses()) {
    if (op.has_response_range()) {
      for (const auto& kv : op.response_range().kvs()) result.reads.push_back(FromProto(kv));
    }
  }
  return result;
}

Result<int64_t> EtcdClient::GrantLease(std::chrono::seconds ttl) {
  if (ttl.count() < 1) return InvalidArgument("etcd lease TTL must be at least 1 s");
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl.count());
  etcdserverpb::LeaseGrantResponse response;
  NOVACRON_RETURN_IF_ERROR(
      impl_->Run("lease grant", Retry::kIfNeverConnected, [&](const auto& ch, auto& ctx) {
        return Lease::NewStub(ch)->LeaseGrant(&ctx, request, &response);
      }));
  if (!response.error().empty()) return Unavailable("etcd lease grant: " + response.error());
  return response.id();
}

Result<std::chrono::seconds> EtcdClient::KeepAliveOnce(int64_t lease,
                                                       std::chrono::milliseconds timeout) {
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseKeepAliveResponse response;
  bool answered = false;
  // LeaseKeepAlive is a stream; one short stream per renewal gives each its own deadline.
  NOVACRON_RETURN_IF_ERROR(impl_->Run(
      "lease keepalive", Retry::kIfUnavailable,
      [&](const auto& ch, auto& ctx) {
        auto stream = Lease::NewStub(ch)->LeaseKeepAlive(&ctx);
        if (stream->Write(request)) answered = stream->Read(&response);
        stream->WritesDone();
        return stream->Finish();
      },
      timeout));
  if (!answered) return Unavailable("etcd lease keepalive: no answer");
  if (response.ttl() <= 0) {
    return NotFound("etcd lease " + std::to_string(lease) + " expired or was revoked");
  }
  return std::chrono::seconds(response.ttl());
}

Status EtcdClient::RevokeLease(int64_t lease) {
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseRevokeResponse response;
  return impl_->Run("lease revoke", Retry::kIfUnavailable, [&](const auto& ch, auto& ctx) {
    return Lease::NewStub(ch)->LeaseRevoke(&ctx, request, &response);
  });
}

std::vector<EndpointStatus> EtcdClient::Health() {
  const size_t count = impl_->channels.size();
  std::vector<EndpointStatus> out(count);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < count; ++i) {
    threads.emplace_back([this, i, &out] {
      EndpointStatus& status = out[i];
      status.endpoint = impl_->options.endpoints[i];
      grpc::ClientContext context;
      context.set_deadline(impl_->Deadline());
      etcdserverpb::StatusRequest request;
      etcdserverpb::StatusResponse response;
      grpc::Status result =
          Maintenance::NewStub(impl_->channels[i])->Status(&context, request, &response);
      if (!result.ok()) {
        status.error = FromGrpc(result, "status", status.endpoint).message();
        return;
      }
      status.reachable = true;
      status.member_id = response.header().member_id();
      status.leader_id = response.leader();
      status.revision = response.header().revision();
      status.raft_term = static_cast<int64_t>(response.raftterm());
      status.version = response.version();
      status.db_size = response.dbsize();
    });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace novacron::cluster
