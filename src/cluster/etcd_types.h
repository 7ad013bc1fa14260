// Plain values of the etcd v3 data model the cluster layer works with: key-values with their
// revisions, transactions (compare-and-swap), watch events. No gRPC here: the client
// (cluster/etcd_client.h) converts to and from the generated messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace novacron::cluster {

struct KeyValue {
  std::string key{};
  std::string value{};
  int64_t create_revision = 0;  // revision of the key's creation; 0 = the key does not exist
  int64_t mod_revision = 0;     // revision of its last change: the version for If-Match
  int64_t version = 0;          // changes since creation
  int64_t lease = 0;            // the lease the key is attached to; 0 = none
};

// One condition of a transaction.
struct Compare {
  enum class Target { kModRevision, kCreateRevision, kVersion, kValue };
  enum class Op { kEqual, kNotEqual, kLess, kGreater };
  std::string key{};
  Target target = Target::kModRevision;
  Op op = Op::kEqual;
  int64_t revision = 0;  // for the revision targets; the version for kVersion
  std::string value{};   // for kValue

  // mod_revision(key) == revision; revision 0 means "the key does not exist".
  static Compare ModRevisionIs(std::string key, int64_t revision) {
    return {std::move(key), Target::kModRevision, Op::kEqual, revision, {}};
  }
  // create_revision(key) == revision: the key is still the one created at `revision`.
  static Compare CreateRevisionIs(std::string key, int64_t revision) {
    return {std::move(key), Target::kCreateRevision, Op::kEqual, revision, {}};
  }
  // version(key) == version: etcd's per-key version, 1 at creation and +1 per put; 0 means
  // "the key does not exist".
  static Compare VersionIs(std::string key, int64_t version) {
    return {std::move(key), Target::kVersion, Op::kEqual, version, {}};
  }
  static Compare Missing(std::string key) { return ModRevisionIs(std::move(key), 0); }
};

// One operation of a transaction branch.
struct TxnOp {
  enum class Kind { kPut, kDelete, kGet };
  Kind kind = Kind::kGet;
  std::string key{};
  std::string value{};  // kPut
  int64_t lease = 0;    // kPut
  bool prefix = false;  // kDelete/kGet: every key starting with `key`

  static TxnOp Put(std::string key, std::string value, int64_t lease = 0) {
    return {Kind::kPut, std::move(key), std::move(value), lease, false};
  }
  static TxnOp Delete(std::string key) { return {Kind::kDelete, std::move(key), {}, 0, false}; }
  static TxnOp Get(std::string key) { return {Kind::kGet, std::move(key), {}, 0, false}; }
};

struct Txn {
  std::vector<Compare> compare{};
  std::vector<TxnOp> success{};  // run when every compare holds
  std::vector<TxnOp> failure{};  // run otherwise
};

struct TxnResult {
  bool succeeded = false;  // which branch ran
  int64_t revision = 0;    // the store's revision after the transaction
  // The keys the branch's kGet operations read, in order (empty entries for missing keys are
  // not included).
  std::vector<KeyValue> reads{};
};

struct WatchEvent {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv{};  // for kDelete: the key and mod_revision of the deletion
};

}  // namespace novacron::cluster
