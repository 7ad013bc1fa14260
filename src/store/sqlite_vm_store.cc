#include "store/sqlite_vm_store.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/record_codec.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_transaction.h"

namespace novacron::store {
namespace {

using std::chrono::microseconds;
using std::chrono::system_clock;

constexpr char kVmColumns[] =
    "SELECT id, name, spec, state, drift, last_error, version, created_at, updated_at, seq, owner "
    "FROM vms ";

std::string VmName(const std::string& id) { return "vm " + id; }

struct StoredVm {
  VmRecord record;
  int64_t seq = 0;
};

// Reads the vms row the statement (built on kVmColumns) is positioned on; labels not included.
StoredVm ReadVmRow(const SqliteStatement& row) {
  StoredVm vm;
  vm.record.id = row.Text(0);
  vm.record.name = row.Text(1);
  vm.record.spec_json = row.Text(2);
  vm.record.state = row.Text(3);
  vm.record.drift = row.Text(4);
  vm.record.last_error = row.Text(5);
  vm.record.version = row.Int64(6);
  vm.record.created_at = FromUnixMicros(row.Int64(7));
  vm.record.updated_at = FromUnixMicros(row.Int64(8));
  vm.seq = row.Int64(9);
  vm.record.owner = row.Text(10);
  return vm;
}

// Reads every row `select` (built on kVmColumns, parameters bound) returns, then fills in their
// labels with one range query over their seqs.
Result<std::vector<StoredVm>> ReadVms(SqliteTransaction& txn, SqliteStatement& select) {
  std::vector<StoredVm> vms;
  while (true) {
    NOVACRON_ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) break;
    vms.push_back(ReadVmRow(select));
  }
  if (vms.empty()) return vms;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < vms.size(); ++i) index.emplace(vms[i].record.id, i);
  NOVACRON_ASSIGN_OR_RETURN(
      SqliteStatement labels,
      txn.Prepare("SELECT l.vm_id, l.key, l.value FROM vm_labels l JOIN vms v ON v.id = l.vm_id "
                  "WHERE v.seq BETWEEN ? AND ?"));
  NOVACRON_RETURN_IF_ERROR(labels.BindInt64(1, vms.front().seq));
  NOVACRON_RETURN_IF_ERROR(labels.BindInt64(2, vms.back().seq));
  while (true) {
    NOVACRON_ASSIGN_OR_RETURN(bool has_row, labels.Step());
    if (!has_row) break;
    // The range may cover VMs the filter left out.
    auto it = index.find(labels.Text(0));
    if (it == index.end()) continue;
    vms[it->second].record.labels.emplace(labels.Text(1), labels.Text(2));
  }
  return vms;
}

// The stored version of `id`; kNotFound when there is no such VM.
Result<int64_t> VersionOf(SqliteTransaction& txn, const std::string& id) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                            txn.Prepare("SELECT version FROM vms WHERE id = ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindText(1, id));
  NOVACRON_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NotFound(VmName(id) + " not found");
  return select.Int64(0);
}

// kAlreadyExists when a VM other than `id` is called `name`.
Status RequireFreeName(SqliteTransaction& txn, const std::string& name, const std::string& id) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                            txn.Prepare("SELECT 1 FROM vms WHERE name = ? AND id <> ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindText(1, name));
  NOVACRON_RETURN_IF_ERROR(select.BindText(2, id));
  NOVACRON_ASSIGN_OR_RETURN(bool taken, select.Step());
  if (taken) return VmNameTaken(name);
  return Status::Ok();
}

// Turns a unique-constraint failure of a write into the message callers expect; the checks
// before each write make this a safety net (e.g. another process raced us on the same file).
Status MapUniqueViolation(Status status, const std::string& name) {
  if (status.code() != ErrorCode::kAlreadyExists) return status;
  return VmNameTaken(name).WithCause(std::move(status));
}

Status WriteLabels(SqliteTransaction& txn, const VmRecord& record) {
  {
    NOVACRON_ASSIGN_OR_RETURN(SqliteStatement clear,
                              txn.Prepare("DELETE FROM vm_labels WHERE vm_id = ?"));
    NOVACRON_RETURN_IF_ERROR(clear.BindText(1, record.id));
    NOVACRON_RETURN_IF_ERROR(clear.Run());
  }
  if (record.labels.empty()) return Status::Ok();
  NOVACRON_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      txn.Prepare("INSERT INTO vm_labels (vm_id, key, value) VALUES (?, ?, ?)"));
  NOVACRON_RETURN_IF_ERROR(insert.BindText(1, record.id));
  for (const auto& [key, value] : record.labels) {
    NOVACRON_RETURN_IF_ERROR(insert.Reset());
    NOVACRON_RETURN_IF_ERROR(insert.BindText(2, key));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(3, value));
    NOVACRON_RETURN_IF_ERROR(insert.Run());
  }
  return Status::Ok();
}

Status InsertIdempotency(SqliteTransaction& txn, const IdempotencyRecord& record,
                         int64_t created_at_us) {
  if (record.key.empty()) return InvalidArgument("idempotency record: key is empty");
  {
    NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                              txn.Prepare("SELECT 1 FROM idempotency_keys WHERE key = ?"));
    NOVACRON_RETURN_IF_ERROR(select.BindText(1, record.key));
    NOVACRON_ASSIGN_OR_RETURN(bool taken, select.Step());
    if (taken) return AlreadyExists("idempotency key '" + record.key + "' is taken");
  }
  NOVACRON_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      txn.Prepare("INSERT INTO idempotency_keys (key, fingerprint, status, body, created_at) "
                  "VALUES (?, ?, ?, ?, ?)"));
  NOVACRON_RETURN_IF_ERROR(insert.BindText(1, record.key));
  NOVACRON_RETURN_IF_ERROR(insert.BindText(2, record.fingerprint));
  NOVACRON_RETURN_IF_ERROR(insert.BindInt64(3, record.status));
  NOVACRON_RETURN_IF_ERROR(insert.BindText(4, record.body));
  NOVACRON_RETURN_IF_ERROR(insert.BindInt64(5, created_at_us));
  return insert.Run();
}

// Hands out the next seq; under the write lock, so concurrent creators get distinct ones.
Result<int64_t> NextSeq(SqliteTransaction& txn) {
  {
    NOVACRON_ASSIGN_OR_RETURN(
        SqliteStatement bump,
        txn.Prepare("UPDATE vm_seq SET last_seq = last_seq + 1 WHERE id = 1"));
    NOVACRON_RETURN_IF_ERROR(bump.Run());
    if (txn.changes() != 1) return Internal("vm store: the vm_seq counter row is missing");
  }
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement read,
                            txn.Prepare("SELECT last_seq FROM vm_seq WHERE id = 1"));
  NOVACRON_ASSIGN_OR_RETURN(bool has_row, read.Step());
  if (!has_row) return Internal("vm store: the vm_seq counter row is missing");
  return read.Int64(0);
}

}  // namespace

Result<VmRecord> SqliteVmStore::Create(const VmRecord& record,
                                       const IdempotencyRecord* idempotency) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmRecord(record));
  const int64_t now_us = ToUnixMicros(system_clock::now());
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  {
    NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                              txn.Prepare("SELECT 1 FROM vms WHERE id = ?"));
    NOVACRON_RETURN_IF_ERROR(select.BindText(1, record.id));
    NOVACRON_ASSIGN_OR_RETURN(bool taken, select.Step());
    if (taken) return AlreadyExists(VmName(record.id) + " already exists");
  }
  NOVACRON_RETURN_IF_ERROR(RequireFreeName(txn, record.name, record.id));
  if (idempotency != nullptr) {
    NOVACRON_RETURN_IF_ERROR(InsertIdempotency(txn, *idempotency, now_us));
  }
  NOVACRON_ASSIGN_OR_RETURN(int64_t seq, NextSeq(txn));
  {
    NOVACRON_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        txn.Prepare("INSERT INTO vms (id, seq, name, spec, state, drift, last_error, owner, "
                    "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(1, record.id));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(2, seq));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(3, record.name));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(4, record.spec_json));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(5, record.state));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(6, record.drift));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(7, record.last_error));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(8, record.owner));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(9, now_us));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(10, now_us));
    NOVACRON_RETURN_IF_ERROR(MapUniqueViolation(insert.Run(), record.name));
  }
  NOVACRON_RETURN_IF_ERROR(WriteLabels(txn, record));
  NOVACRON_RETURN_IF_ERROR(txn.Commit());
  VmRecord stored = record;
  stored.version = 1;
  stored.created_at = FromUnixMicros(now_us);
  stored.updated_at = stored.created_at;
  return stored;
}

Result<VmRecord> SqliteVmStore::Get(const std::string& id) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                            txn.Prepare(std::string(kVmColumns) + "WHERE id = ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindText(1, id));
  NOVACRON_ASSIGN_OR_RETURN(std::vector<StoredVm> vms, ReadVms(txn, select));
  if (vms.empty()) return NotFound(VmName(id) + " not found");
  return std::move(vms.front().record);
}

Result<VmRecord> SqliteVmStore::GetByName(const std::string& name) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                            txn.Prepare(std::string(kVmColumns) + "WHERE name = ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindText(1, name));
  NOVACRON_ASSIGN_OR_RETURN(std::vector<StoredVm> vms, ReadVms(txn, select));
  if (vms.empty()) return NotFound("vm named '" + name + "' not found");
  return std::move(vms.front().record);
}

Result<VmPage> SqliteVmStore::List(const VmListFilter& filter, const VmPageRequest& page) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmPageLimit(page.limit));
  NOVACRON_ASSIGN_OR_RETURN(int64_t after_seq, DecodeVmCursor(page.cursor));
  std::string sql = std::string(kVmColumns) + "WHERE seq > ?";
  if (filter.state) sql += " AND state = ?";
  for (size_t i = 0; i < filter.labels.size(); ++i) {
    sql +=
        " AND EXISTS (SELECT 1 FROM vm_labels l WHERE l.vm_id = vms.id AND l.key = ? AND "
        "l.value = ?)";
  }
  // One row more than asked tells whether another page follows.
  sql += " ORDER BY seq LIMIT ?";

  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select, txn.Prepare(sql));
  int param = 1;
  NOVACRON_RETURN_IF_ERROR(select.BindInt64(param++, after_seq));
  if (filter.state) NOVACRON_RETURN_IF_ERROR(select.BindText(param++, *filter.state));
  for (const auto& [key, value] : filter.labels) {
    NOVACRON_RETURN_IF_ERROR(select.BindText(param++, key));
    NOVACRON_RETURN_IF_ERROR(select.BindText(param++, value));
  }
  NOVACRON_RETURN_IF_ERROR(select.BindInt64(param++, int64_t{page.limit} + 1));
  NOVACRON_ASSIGN_OR_RETURN(std::vector<StoredVm> vms, ReadVms(txn, select));

  VmPage out;
  if (vms.size() > static_cast<size_t>(page.limit)) {
    vms.resize(static_cast<size_t>(page.limit));
    out.next_cursor = EncodeVmCursor(vms.back().seq);
  }
  out.items.reserve(vms.size());
  for (StoredVm& vm : vms) out.items.push_back(std::move(vm.record));
  return out;
}

Result<std::vector<VmRecord>> SqliteVmStore::ListAll() {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                            txn.Prepare(std::string(kVmColumns) + "ORDER BY seq"));
  NOVACRON_ASSIGN_OR_RETURN(std::vector<StoredVm> vms, ReadVms(txn, select));
  std::vector<VmRecord> out;
  out.reserve(vms.size());
  for (StoredVm& vm : vms) out.push_back(std::move(vm.record));
  return out;
}

Result<VmRecord> SqliteVmStore::Update(const VmRecord& record, int64_t expected_version) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmRecord(record));
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  VmRecord stored;
  {
    NOVACRON_ASSIGN_OR_RETURN(SqliteStatement select,
                              txn.Prepare(std::string(kVmColumns) + "WHERE id = ?"));
    NOVACRON_RETURN_IF_ERROR(select.BindText(1, record.id));
    NOVACRON_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return NotFound(VmName(record.id) + " not found");
    stored = ReadVmRow(select).record;
  }
  if (stored.version != expected_version) {
    return VmVersionMoved(record.id, stored.version, expected_version);
  }
  NOVACRON_RETURN_IF_ERROR(RequireFreeName(txn, record.name, record.id));
  // updated_at strictly increases per write, even if the clock did not move (or moved back).
  const int64_t now_us =
      std::max(ToUnixMicros(system_clock::now()), ToUnixMicros(stored.updated_at) + 1);
  {
    NOVACRON_ASSIGN_OR_RETURN(
        SqliteStatement update,
        txn.Prepare("UPDATE vms SET name = ?, spec = ?, state = ?, drift = ?, last_error = ?, "
                    "owner = ?, version = version + 1, updated_at = ? WHERE id = ? AND "
                    "version = ?"));
    NOVACRON_RETURN_IF_ERROR(update.BindText(1, record.name));
    NOVACRON_RETURN_IF_ERROR(update.BindText(2, record.spec_json));
    NOVACRON_RETURN_IF_ERROR(update.BindText(3, record.state));
    NOVACRON_RETURN_IF_ERROR(update.BindText(4, record.drift));
    NOVACRON_RETURN_IF_ERROR(update.BindText(5, record.last_error));
    NOVACRON_RETURN_IF_ERROR(update.BindText(6, record.owner));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(7, now_us));
    NOVACRON_RETURN_IF_ERROR(update.BindText(8, record.id));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(9, expected_version));
    NOVACRON_RETURN_IF_ERROR(MapUniqueViolation(update.Run(), record.name));
    if (txn.changes() != 1) {
      return Internal(VmName(record.id) + ": update matched " + std::to_string(txn.changes()) +
                      " rows under the write lock");
    }
  }
  NOVACRON_RETURN_IF_ERROR(WriteLabels(txn, record));
  NOVACRON_RETURN_IF_ERROR(txn.Commit());
  VmRecord updated = record;
  updated.version = expected_version + 1;
  updated.created_at = stored.created_at;
  updated.updated_at = FromUnixMicros(now_us);
  return updated;
}

Status SqliteVmStore::Delete(const std::string& id, std::optional<int64_t> expected_version) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  NOVACRON_ASSIGN_OR_RETURN(int64_t version, VersionOf(txn, id));
  if (expected_version && version != *expected_version) {
    return VmVersionMoved(id, version, *expected_version);
  }
  {
    // Labels go with their VM (ON DELETE CASCADE).
    NOVACRON_ASSIGN_OR_RETURN(SqliteStatement remove, txn.Prepare("DELETE FROM vms WHERE id = ?"));
    NOVACRON_RETURN_IF_ERROR(remove.BindText(1, id));
    NOVACRON_RETURN_IF_ERROR(remove.Run());
  }
  return txn.Commit();
}

Result<IdempotencyRecord> SqliteVmStore::GetIdempotency(const std::string& key) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  NOVACRON_ASSIGN_OR_RETURN(
      SqliteStatement select,
      txn.Prepare("SELECT fingerprint, status, body, created_at FROM idempotency_keys "
                  "WHERE key = ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindText(1, key));
  NOVACRON_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NotFound("idempotency key '" + key + "' not found");
  IdempotencyRecord record;
  record.key = key;
  record.fingerprint = select.Text(0);
  record.status = static_cast<int>(select.Int64(1));
  record.body = select.Text(2);
  record.created_at = FromUnixMicros(select.Int64(3));
  return record;
}

Status SqliteVmStore::PutIdempotency(const IdempotencyRecord& record) {
  const int64_t now_us = ToUnixMicros(system_clock::now());
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  NOVACRON_RETURN_IF_ERROR(InsertIdempotency(txn, record, now_us));
  return txn.Commit();
}

Result<int> SqliteVmStore::PruneIdempotency(system_clock::time_point before) {
  NOVACRON_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  int64_t pruned = 0;
  {
    NOVACRON_ASSIGN_OR_RETURN(SqliteStatement remove,
                              txn.Prepare("DELETE FROM idempotency_keys WHERE created_at < ?"));
    // Stored times are whole microseconds: t < before exactly when t < ceil(before).
    NOVACRON_RETURN_IF_ERROR(
        remove.BindInt64(1, std::chrono::ceil<microseconds>(before.time_since_epoch()).count()));
    NOVACRON_RETURN_IF_ERROR(remove.Run());
    pruned = txn.changes();
  }
  NOVACRON_RETURN_IF_ERROR(txn.Commit());
  return static_cast<int>(pruned);
}

}  // namespace novacron::store
