#include "store/etcd/etcd_vm_store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "store/record_codec.h"

namespace novacron::store {
namespace {

using cluster::Compare;
using cluster::EtcdClient;
using cluster::KeyValue;
using cluster::Txn;
using cluster::TxnOp;
using cluster::TxnResult;
using std::chrono::system_clock;

// Keys per read when a filter may skip many records (etcd reads the whole range to sort it by
// creation anyway, so fewer, larger reads are cheaper), and for ListAll.
constexpr int64_t kFilteredBatch = 500;
constexpr int64_t kListAllBatch = 1000;
// Idempotency keys deleted per transaction (etcd allows 128 operations by default).
constexpr size_t kPruneChunk = 64;

struct StoredVm {
  VmRecord record;
  int64_t create_revision = 0;
};

bool Matches(const VmRecord& record, const VmListFilter& filter) {
  if (filter.state && record.state != *filter.state) return false;
  for (const auto& [key, value] : filter.labels) {
    auto it = record.labels.find(key);
    if (it == record.labels.end() || it->second != value) return false;
  }
  return true;
}

Status KeyTaken(const std::string& key) {
  return AlreadyExists("idempotency key '" + key + "' is taken");
}

Status ValidateIdempotency(const IdempotencyRecord& record) {
  if (record.key.empty()) return InvalidArgument("idempotency record: key is empty");
  return Status::Ok();
}

Status KeptChanging(const std::string& what) {
  return Unavailable("etcd store: " + what + " kept changing under concurrent writes; try again");
}

}  // namespace

Result<KeyValue> EtcdVmStore::ReadVm(const std::string& id) {
  NOVACRON_ASSIGN_OR_RETURN(std::optional<KeyValue> kv,
                            OrStoreError(client_.Get(keys_.Vm(id)), "read vm " + id));
  if (!kv) return NotFound("vm " + id + " not found");
  return std::move(*kv);
}

Result<VmRecord> EtcdVmStore::Create(const VmRecord& record, const IdempotencyRecord* idempotency) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmRecord(record));
  if (idempotency != nullptr) NOVACRON_RETURN_IF_ERROR(ValidateIdempotency(*idempotency));
  VmRecord stored = record;
  stored.version = 1;  // etcd's version of a key its first put creates
  stored.created_at = system_clock::now();
  stored.updated_at = stored.created_at;
  NOVACRON_ASSIGN_OR_RETURN(std::string value, EncodeVm(stored));
  const std::string vm_key = keys_.Vm(record.id);
  const std::string name_key = keys_.VmName(record.name);
  Txn txn;
  txn.compare = {Compare::Missing(vm_key), Compare::Missing(name_key)};
  txn.success = {TxnOp::Put(vm_key, value), TxnOp::Put(name_key, record.id)};
  txn.failure = {TxnOp::Get(vm_key), TxnOp::Get(name_key)};
  std::string idempotency_key;
  if (idempotency != nullptr) {
    IdempotencyRecord saved = *idempotency;
    saved.created_at = stored.created_at;
    NOVACRON_ASSIGN_OR_RETURN(std::string saved_value, EncodeIdempotency(saved));
    idempotency_key = keys_.Idempotency(saved.key);
    txn.compare.push_back(Compare::Missing(idempotency_key));
    txn.success.push_back(TxnOp::Put(idempotency_key, saved_value));
    txn.failure.push_back(TxnOp::Get(idempotency_key));
  }
  NOVACRON_ASSIGN_OR_RETURN(TxnResult result,
                            OrStoreError(client_.Commit(txn), "create vm " + record.id));
  if (result.succeeded) return stored;
  // The failure branch read the keys at the revision the compares failed at: say which was taken,
  // in the order the SQLite store checks them.
  if (FindRead(result, vm_key) != nullptr) {
    return AlreadyExists("vm " + record.id + " already exists");
  }
  if (FindRead(result, name_key) != nullptr) return VmNameTaken(record.name);
  if (idempotency != nullptr && FindRead(result, idempotency_key) != nullptr) {
    return KeyTaken(idempotency->key);
  }
  return Internal("create vm " + record.id + ": etcd refused the transaction, yet no key is taken");
}

Result<VmRecord> EtcdVmStore::Get(const std::string& id) {
  NOVACRON_ASSIGN_OR_RETURN(KeyValue kv, ReadVm(id));
  return DecodeVm(kv, id);
}

Result<VmRecord> EtcdVmStore::GetByName(const std::string& name) {
  const std::string name_key = keys_.VmName(name);
  for (int attempt = 0; attempt < kEtcdStoreMaxAttempts; ++attempt) {
    NOVACRON_ASSIGN_OR_RETURN(std::optional<KeyValue> index,
                              OrStoreError(client_.Get(name_key), "find vm named '" + name + "'"));
    if (!index) return NotFound("vm named '" + name + "' not found");
    Result<VmRecord> vm = Get(index->value);
    if (vm.ok() && vm->name == name) return vm;
    if (!vm.ok() && vm.status().code() != ErrorCode::kNotFound) return vm.status();
    // Renamed or deleted between the two reads: the index has moved on, read it again.
  }
  return KeptChanging("vm named '" + name + "'");
}

Result<VmPage> EtcdVmStore::List(const VmListFilter& filter, const VmPageRequest& page) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmPageLimit(page.limit));
  NOVACRON_ASSIGN_OR_RETURN(int64_t after, DecodeVmCursor(page.cursor));
  if (after == std::numeric_limits<int64_t>::max()) return VmPage{};
  // One record more than asked tells whether another page follows.
  const size_t want = static_cast<size_t>(page.limit) + 1;
  const bool filtered = filter.state.has_value() || !filter.labels.empty();
  EtcdClient::RangeQuery query = EtcdClient::RangeQuery::Prefix(keys_.VmDir());
  query.by_create_revision = true;
  query.min_create_revision = after + 1;
  const size_t dir_size = keys_.VmDir().size();
  std::vector<StoredVm> vms;
  NOVACRON_RETURN_IF_ERROR(ScanSnapshot(
      client_, query, filtered ? std::max<int64_t>(want, kFilteredBatch) : want, "list vms",
      [&] { vms.clear(); },
      [&](const KeyValue& kv) -> Result<bool> {
        NOVACRON_ASSIGN_OR_RETURN(VmRecord record, DecodeVm(kv, kv.key.substr(dir_size)));
        if (Matches(record, filter)) vms.push_back({std::move(record), kv.create_revision});
        return vms.size() < want;
      }));
  VmPage out;
  if (vms.size() > static_cast<size_t>(page.limit)) {
    vms.resize(static_cast<size_t>(page.limit));
    out.next_cursor = EncodeVmCursor(vms.back().create_revision);
  }
  out.items.reserve(vms.size());
  for (StoredVm& vm : vms) out.items.push_back(std::move(vm.record));
  return out;
}

Result<std::vector<VmRecord>> EtcdVmStore::ListAll() {
  // Read in key order (etcd stops at each page's limit) and sort here: sorting by creation
  // server-side would make etcd read the whole range once per page.
  const size_t dir_size = keys_.VmDir().size();
  std::vector<StoredVm> vms;
  NOVACRON_RETURN_IF_ERROR(ScanSnapshot(
      client_, EtcdClient::RangeQuery::Prefix(keys_.VmDir()), kListAllBatch, "list vms",
      [&] { vms.clear(); },
      [&](const KeyValue& kv) -> Result<bool> {
        NOVACRON_ASSIGN_OR_RETURN(VmRecord record, DecodeVm(kv, kv.key.substr(dir_size)));
        vms.push_back({std::move(record), kv.create_revision});
        return true;
      }));
  std::sort(vms.begin(), vms.end(), [](const StoredVm& a, const StoredVm& b) {
    return a.create_revision < b.create_revision;
  });
  std::vector<VmRecord> out;
  out.reserve(vms.size());
  for (StoredVm& vm : vms) out.push_back(std::move(vm.record));
  return out;
}

Result<VmRecord> EtcdVmStore::Update(const VmRecord& record, int64_t expected_version) {
  return UpdateGuarded(record, expected_version, nullptr);
}

Result<VmRecord> EtcdVmStore::UpdateAsLeader(const VmRecord& record, int64_t expected_version,
                                             const cluster::Compare& guard) {
  return UpdateGuarded(record, expected_version, &guard);
}

Result<VmRecord> EtcdVmStore::UpdateGuarded(const VmRecord& record, int64_t expected_version,
                                            const cluster::Compare* guard) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmRecord(record));
  const std::string vm_key = keys_.Vm(record.id);
  for (int attempt = 0; attempt < kEtcdStoreMaxAttempts; ++attempt) {
    NOVACRON_ASSIGN_OR_RETURN(KeyValue current, ReadVm(record.id));
    if (current.version != expected_version) {
      return VmVersionMoved(record.id, current.version, expected_version);
    }
    NOVACRON_ASSIGN_OR_RETURN(VmRecord stored, DecodeVm(current, record.id));
    VmRecord next = record;
    next.version = expected_version + 1;  // the put below is the key's next version
    next.created_at = stored.created_at;
    // updated_at strictly increases per write, even if the clock did not move (or moved back).
    next.updated_at = std::max(system_clock::now(), stored.updated_at + system_clock::duration(1));
    NOVACRON_ASSIGN_OR_RETURN(std::string value, EncodeVm(next));
    Txn txn;
    // The version the caller named, of the incarnation read above (not one deleted and created
    // again since): then `stored` is what is in etcd, and so is its name's index key.
    txn.compare = {Compare::VersionIs(vm_key, expected_version),
                   Compare::CreateRevisionIs(vm_key, current.create_revision)};
    txn.success = {TxnOp::Put(vm_key, value)};
    txn.failure = {TxnOp::Get(vm_key)};
    if (guard != nullptr) {
      txn.compare.push_back(*guard);
      txn.failure.push_back(TxnOp::Get(guard->key));
    }
    const std::string new_name_key = keys_.VmName(record.name);
    if (record.name != stored.name) {
      txn.compare.push_back(Compare::Missing(new_name_key));
      txn.success.push_back(TxnOp::Delete(keys_.VmName(stored.name)));
      txn.success.push_back(TxnOp::Put(new_name_key, record.id));
      txn.failure.push_back(TxnOp::Get(new_name_key));
    }
    NOVACRON_ASSIGN_OR_RETURN(TxnResult result,
                              OrStoreError(client_.Commit(txn), "update vm " + record.id));
    if (result.succeeded) return next;
    if (guard != nullptr) {
      const KeyValue* held = FindRead(result, guard->key);
      if (held == nullptr || held->create_revision != guard->revision) {
        return FailedPrecondition("update vm " + record.id + ": " + guard->key +
                                  " moved on: this node no longer leads");
      }
    }
    const KeyValue* now = FindRead(result, vm_key);
    if (now == nullptr) return NotFound("vm " + record.id + " not found");
    if (now->version != expected_version) {
      return VmVersionMoved(record.id, now->version, expected_version);
    }
    if (now->create_revision == current.create_revision &&
        FindRead(result, new_name_key) != nullptr) {
      return VmNameTaken(record.name);
    }
    // Deleted and created again at the same version meanwhile: try on the new incarnation.
  }
  return KeptChanging("vm " + record.id);
}

Status EtcdVmStore::Delete(const std::string& id, std::optional<int64_t> expected_version) {
  const std::string vm_key = keys_.Vm(id);
  for (int attempt = 0; attempt < kEtcdStoreMaxAttempts; ++attempt) {
    NOVACRON_ASSIGN_OR_RETURN(KeyValue current, ReadVm(id));
    if (expected_version && current.version != *expected_version) {
      return VmVersionMoved(id, current.version, *expected_version);
    }
    NOVACRON_ASSIGN_OR_RETURN(VmRecord stored, DecodeVm(current, id));
    Txn txn;
    // Unchanged since the read, so its name index key is the one to drop with it.
    txn.compare = {Compare::ModRevisionIs(vm_key, current.mod_revision)};
    txn.success = {TxnOp::Delete(vm_key), TxnOp::Delete(keys_.VmName(stored.name))};
    txn.failure = {TxnOp::Get(vm_key)};
    NOVACRON_ASSIGN_OR_RETURN(TxnResult result,
                              OrStoreError(client_.Commit(txn), "delete vm " + id));
    if (result.succeeded) return Status::Ok();
    const KeyValue* now = FindRead(result, vm_key);
    if (now == nullptr) return NotFound("vm " + id + " not found");
    if (expected_version && now->version != *expected_version) {
      return VmVersionMoved(id, now->version, *expected_version);
    }
    // Written since the read (without a version to keep, or recreated at the same one): again.
  }
  return KeptChanging("vm " + id);
}

Result<IdempotencyRecord> EtcdVmStore::GetIdempotency(const std::string& key) {
  NOVACRON_ASSIGN_OR_RETURN(
      std::optional<KeyValue> kv,
      OrStoreError(client_.Get(keys_.Idempotency(key)), "read idempotency key '" + key + "'"));
  if (!kv) return NotFound("idempotency key '" + key + "' not found");
  return DecodeIdempotency(*kv, key);
}

Status EtcdVmStore::PutIdempotency(const IdempotencyRecord& record) {
  NOVACRON_RETURN_IF_ERROR(ValidateIdempotency(record));
  IdempotencyRecord saved = record;
  saved.created_at = system_clock::now();
  NOVACRON_ASSIGN_OR_RETURN(std::string value, EncodeIdempotency(saved));
  const std::string key = keys_.Idempotency(record.key);
  NOVACRON_ASSIGN_OR_RETURN(TxnResult result,
                            OrStoreError(client_.Commit({.compare = {Compare::Missing(key)},
                                                         .success = {TxnOp::Put(key, value)},
                                                         .failure = {}}),
                                         "save idempotency key '" + record.key + "'"));
  if (!result.succeeded) return KeyTaken(record.key);
  return Status::Ok();
}

Result<int> EtcdVmStore::PruneIdempotency(system_clock::time_point before) {
  struct Old {
    std::string key;
    int64_t mod_revision = 0;
  };
  const size_t dir_size = keys_.IdempotencyDir().size();
  std::vector<Old> old;
  NOVACRON_RETURN_IF_ERROR(ScanSnapshot(
      client_, EtcdClient::RangeQuery::Prefix(keys_.IdempotencyDir()), kListAllBatch,
      "list idempotency keys", [&] { old.clear(); },
      [&](const KeyValue& kv) -> Result<bool> {
        NOVACRON_ASSIGN_OR_RETURN(IdempotencyRecord record,
                                  DecodeIdempotency(kv, kv.key.substr(dir_size)));
        if (record.created_at < before) old.push_back({kv.key, kv.mod_revision});
        return true;
      }));
  // Each delete is conditional on the key being the one read, so a key pruned and used again
  // meanwhile survives. A chunk fails as a whole when one of its keys moved: then key by key.
  int pruned = 0;
  for (size_t begin = 0; begin < old.size(); begin += kPruneChunk) {
    const size_t end = std::min(old.size(), begin + kPruneChunk);
    Txn chunk;
    for (size_t i = begin; i < end; ++i) {
      chunk.compare.push_back(Compare::ModRevisionIs(old[i].key, old[i].mod_revision));
      chunk.success.push_back(TxnOp::Delete(old[i].key));
    }
    NOVACRON_ASSIGN_OR_RETURN(TxnResult result,
                              OrStoreError(client_.Commit(chunk), "prune idempotency keys"));
    if (result.succeeded) {
      pruned += static_cast<int>(end - begin);
      continue;
    }
    for (size_t i = begin; i < end; ++i) {
      NOVACRON_ASSIGN_OR_RETURN(TxnResult one,
                                OrStoreError(client_.Commit({.compare = {chunk.compare[i - begin]},
                                                             .success = {chunk.success[i - begin]},
                                                             .failure = {}}),
                                             "prune idempotency keys"));
      if (one.succeeded) ++pruned;
    }
  }
  return pruned;
}

}  // namespace novacron::store
