// An etcd v3 client (docs/cluster.md, "etcd"): KV reads and writes, transactions, leases, and
// cluster health, over gRPC to several endpoints with failover. Watches are in etcd_watch.h.
//
//   auto client = EtcdClient::Connect({.endpoints = {"127.0.0.1:2379"}});
//   NOVACRON_ASSIGN_OR_RETURN(int64_t lease, (*client)->GrantLease(std::chrono::seconds(10)));
//   auto result = (*client)->Commit({.compare = {Compare::Missing("/novacron/leader")},
//                                    .success = {TxnOp::Put("/novacron/leader", "n1", lease)}});
//
// Every call has a deadline (call_timeout). A call that fails because its endpoint is down
// (UNAVAILABLE: the request never reached a server) moves to the next endpoint and is retried
// within the same deadline; other failures are returned as they are: kUnavailable (etcd down or
// without quorum), kDeadlineExceeded, kInvalidArgument. gRPC stays behind this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/etcd_types.h"
#include "common/status.h"

namespace novacron::cluster {

struct EtcdOptions {
  std::vector<std::string> endpoints{};  // "host:port"; tried in order, then round the list
  std::chrono::milliseconds call_timeout{5000};
  // TLS to etcd when ca_file is set; cert_file/key_file add a client certificate (mTLS).
  std::string ca_file{};
  std::string cert_file{};
  std::string key_file{};
  // Reads that cannot be linearizable because etcd has no quorum are answered by a reachable
  // member from its own copy (a serializable read: the last state it knows), and reads_stale()
  // says so. While stale, reads go straight to a member and a linearizable read is tried again
  // every stale_probe_interval, so no read waits out a timeout more than once per interval.
  bool stale_reads_without_quorum = false;
  std::chrono::milliseconds stale_probe_interval{2000};
};

// What one endpoint says about itself (Maintenance.Status).
struct EndpointStatus {
  std::string endpoint{};
  bool reachable = false;
  std::string error{};  // why not
  uint64_t member_id = 0;
  uint64_t leader_id = 0;  // 0: this member sees no leader (no quorum)
  int64_t revision = 0;
  int64_t raft_term = 0;
  std::string version{};
  int64_t db_size = 0;
};

class EtcdClient {
 public:
  // Validates the options and prepares a channel per endpoint; connects lazily, so an etcd that
  // is down now is not an error here (Health() tells).
  static Result<std::unique_ptr<EtcdClient>> Connect(EtcdOptions options);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // The key, or nullopt when it does not exist.
  Result<std::optional<KeyValue>> Get(const std::string& key);
  // Every key starting with `prefix`, sorted by key, and the store revision they were read at
  // (to start a watch from). `limit` 0 = all.
  struct Range {
    std::vector<KeyValue> kvs{};
    int64_t revision = 0;
    bool more = false;  // limit cut the list
  };
  Result<Range> GetPrefix(const std::string& prefix, int64_t limit = 0);

  // A range read with the RangeRequest options Get and GetPrefix leave at their defaults, for
  // listings that page through many keys (the etcd state store, src/store/etcd/).
  struct RangeQuery {
    std::string key{};        // the first key (the only one when range_end is empty)
    std::string range_end{};  // the key after the last one; "" reads `key` alone
    int64_t limit = 0;        // 0 = all
    // Read the store as it was at this revision (a consistent snapshot across several reads);
    // 0 = the latest.
    int64_t revision = 0;
    int64_t min_create_revision = 0;  // only keys created at or after it; 0 = any
    bool by_create_revision = false;  // ascending create_revision (creation order), else by key

    // Every key starting with `prefix`.
    static RangeQuery Prefix(const std::string& prefix);
  };
  // `Range::revision` is the store's current revision (the one read when `revision` is 0).
  // Sorting by create_revision or filtering by it makes etcd read the whole range before it
  // applies `limit`. kFailedPrecondition when `revision` was compacted (or is in the future).
  Result<Range> GetRange(const RangeQuery& query);
  // Writes the key; returns the new revision.
  Result<int64_t> Put(const std::string& key, const std::string& value, int64_t lease = 0);
  // Deletes the key (or every key under the prefix); returns how many were deleted.
  Result<int64_t> Delete(const std::string& key, bool prefix = false);
  // Runs the transaction atomically.
  Result<TxnResult> Commit(const Txn& txn);

  // A new lease of `ttl` (whole seconds, at least 1); returns its id.
  Result<int64_t> GrantLease(std::chrono::seconds ttl);
  // Renews the lease once; returns the TTL etcd granted. kNotFound when the lease expired or
  // was revoked (its keys are gone). `timeout` (when positive) replaces call_timeout.
  Result<std::chrono::seconds> KeepAliveOnce(
      int64_t lease, std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  Status RevokeLease(int64_t lease);

  // Asks every endpoint for its status, each with the call timeout, in parallel.
  std::vector<EndpointStatus> Health();

  const EtcdOptions& options() const;

  // With stale_reads_without_quorum: true while reads are answered from a member's last known
  // state because etcd has no quorum (or no member could answer a linearizable read in time);
  // false again after a linearizable read or a committed write.
  bool reads_stale() const;

  // Internal: the channel set, for etcd_watch.cc.
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit EtcdClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:2379,127.0.0.2:2379" or with schemes "http://h:p" -> "h:p" (https:// requires
// ca_file); refuses empty lists, missing ports and bad ports with a message naming the entry.
Result<std::vector<std::string>> ParseEtcdEndpoints(const std::vector<std::string>& endpoints,
                                                    bool tls);

}  // namespace novacron::cluster
