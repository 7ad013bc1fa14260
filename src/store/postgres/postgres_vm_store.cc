#include "store/postgres/postgres_vm_store.h"

#include <algorithm>
#include <charconv>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "store/postgres/postgres_values.h"
#include "store/record_codec.h"

namespace novacron::store {
namespace {

// Rows of `inner` (a SELECT of whole vms rows) with their labels, in creation order.
std::string SelectWithLabels(const std::string& inner) {
  return "SELECT v.id, v.name, v.spec, v.state, v.drift, v.last_error, v.version, v.created_at, "
         "v.updated_at, v.seq, v.owner, l.key, l.value FROM (" +
         inner + ") v LEFT JOIN vm_labels l ON l.vm_id = v.id ORDER BY v.seq, l.key";
}

struct StoredVm {
  int64_t seq = 0;
  VmRecord record{};
};

// Folds the label rows of SelectWithLabels into records.
std::vector<StoredVm> ReadVms(const pqxx::result& rows) {
  std::vector<StoredVm> vms;
  for (const pqxx::row& row : rows) {
    const std::string id = row[0].as<std::string>();
    if (vms.empty() || vms.back().record.id != id) {
      StoredVm vm;
      vm.record.id = id;
      vm.record.name = row[1].as<std::string>();
      vm.record.spec_json = row[2].as<std::string>();
      vm.record.state = row[3].as<std::string>();
      vm.record.drift = row[4].as<std::string>();
      vm.record.last_error = row[5].as<std::string>();
      vm.record.version = row[6].as<int64_t>();
      vm.record.created_at = pg::FromUnixMicros(row[7].as<int64_t>());
      vm.record.updated_at = pg::FromUnixMicros(row[8].as<int64_t>());
      vm.seq = row[9].as<int64_t>();
      vm.record.owner = row[10].as<std::string>();
      vms.push_back(std::move(vm));
    }
    if (!row[11].is_null()) {
      vms.back().record.labels[row[11].as<std::string>()] = row[12].as<std::string>();
    }
  }
  return vms;
}

Status ValidateIdempotency(const IdempotencyRecord& record) {
  if (record.key.empty()) return InvalidArgument("idempotency record: key is empty");
  return Status::Ok();
}

Status KeyTaken(const std::string& key) {
  return AlreadyExists("idempotency key '" + key + "' is taken");
}

// kAlreadyExists when another record than `id` has `name`.
Status CheckNameFree(pqxx::transaction_base& txn, const std::string& id, const std::string& name) {
  if (txn.exec_params("SELECT 1 FROM vms WHERE name = $1 AND id <> $2", name, id).empty()) {
    return Status::Ok();
  }
  return VmNameTaken(name);
}

Status CheckKeyFree(pqxx::transaction_base& txn, const std::string& key) {
  if (txn.exec_params("SELECT 1 FROM idempotency_keys WHERE key = $1", key).empty()) {
    return Status::Ok();
  }
  return KeyTaken(key);
}

// The store's words for a unique violation that a concurrent writer caused after the checks.
Status UniqueViolation(const pqxx::unique_violation& e, const VmRecord* record,
                       const IdempotencyRecord* idempotency) {
  const std::string what = e.what();
  if (record != nullptr && what.find("vms_name_key") != std::string::npos) {
    return VmNameTaken(record->name);
  }
  if (record != nullptr && what.find("vms_pkey") != std::string::npos) {
    return AlreadyExists("vm " + record->id + " already exists");
  }
  if (idempotency != nullptr && what.find("idempotency_keys_pkey") != std::string::npos) {
    return KeyTaken(idempotency->key);
  }
  throw;  // not ours to explain: the pool maps it
}

void InsertLabels(pqxx::transaction_base& txn, const VmRecord& record) {
  for (const auto& [key, value] : record.labels) {
    txn.exec_params("INSERT INTO vm_labels (vm_id, key, value) VALUES ($1, $2, $3)", record.id, key,
                    value);
  }
}

void InsertIdempotency(pqxx::transaction_base& txn, const IdempotencyRecord& record,
                       std::chrono::system_clock::time_point now) {
  txn.exec_params(
      "INSERT INTO idempotency_keys (key, fingerprint, status, body, created_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      record.key, record.fingerprint, record.status, record.body, pg::ToUnixMicros(now));
}

// The row of `id`, locked; kNotFound when absent, kConflict when `expected_version` is stale.
Result<int64_t> LockVersion(pqxx::transaction_base& txn, const std::string& id,
                            std::optional<int64_t> expected_version, int64_t* updated_at) {
  pqxx::result rows =
      txn.exec_params("SELECT version, updated_at FROM vms WHERE id = $1 FOR UPDATE", id);
  if (rows.empty()) return NotFound("vm " + id + " not found");
  const int64_t version = rows[0][0].as<int64_t>();
  if (updated_at != nullptr) *updated_at = rows[0][1].as<int64_t>();
  if (expected_version && *expected_version != version) {
    return VmVersionMoved(id, version, *expected_version);
  }
  return version;
}

}  // namespace

Result<VmRecord> PostgresVmStore::Create(const VmRecord& record,
                                         const IdempotencyRecord* idempotency) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmRecord(record));
  if (idempotency != nullptr) NOVACRON_RETURN_IF_ERROR(ValidateIdempotency(*idempotency));
  const auto now = pg::NowMicros();
  return pool_.Query<VmRecord>(
      PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Result<VmRecord> {
        // First, so that creators serialize on the counter row and the checks below see every
        // create committed before. Seqs are never reused, so cursors stay valid.
        pqxx::result bumped =
            txn.exec("UPDATE vm_seq SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq");
        if (bumped.empty()) return Internal("vm store: the vm_seq counter row is missing");
        const int64_t seq = bumped[0][0].as<int64_t>();
        if (!txn.exec_params("SELECT 1 FROM vms WHERE id = $1", record.id).empty()) {
          return AlreadyExists("vm " + record.id + " already exists");
        }
        NOVACRON_RETURN_IF_ERROR(CheckNameFree(txn, record.id, record.name));
        if (idempotency != nullptr) NOVACRON_RETURN_IF_ERROR(CheckKeyFree(txn, idempotency->key));
        try {
          if (idempotency != nullptr) InsertIdempotency(txn, *idempotency, now);
          txn.exec_params(
              "INSERT INTO vms (id, seq, name, spec, state, drift, last_error, owner, version, "
              "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
              record.id, seq, record.name, record.spec_json, record.state, record.drift,
              record.last_error, record.owner, pg::ToUnixMicros(now));
        } catch (const pqxx::unique_violation& e) {
          return UniqueViolation(e, &record, idempotency);
        }
        InsertLabels(txn, record);
        VmRecord stored = record;
        stored.version = 1;
        stored.created_at = now;
        stored.updated_at = now;
        return stored;
      });
}

Result<VmRecord> PostgresVmStore::Get(const std::string& id) {
  return pool_.Query<VmRecord>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<VmRecord> {
        std::vector<StoredVm> vms =
            ReadVms(txn.exec_params(SelectWithLabels("SELECT * FROM vms WHERE id = $1"), id));
        if (vms.empty()) return NotFound("vm " + id + " not found");
        return std::move(vms.front().record);
      });
}

Result<VmRecord> PostgresVmStore::GetByName(const std::string& name) {
  return pool_.Query<VmRecord>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<VmRecord> {
        std::vector<StoredVm> vms =
            ReadVms(txn.exec_params(SelectWithLabels("SELECT * FROM vms WHERE name = $1"), name));
        if (vms.empty()) return NotFound("vm named '" + name + "' not found");
        return std::move(vms.front().record);
      });
}

Result<VmPage> PostgresVmStore::List(const VmListFilter& filter, const VmPageRequest& page) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmPageLimit(page.limit));
  NOVACRON_ASSIGN_OR_RETURN(const int64_t after, DecodeVmCursor(page.cursor));
  std::vector<std::string> params = {std::to_string(after)};
  std::string inner = "SELECT * FROM vms WHERE seq > $1::bigint";
  if (filter.state) {
    params.push_back(*filter.state);
    inner += " AND state = $" + std::to_string(params.size());
  }
  for (const auto& [key, value] : filter.labels) {
    params.push_back(key);
    params.push_back(value);
    inner += " AND EXISTS (SELECT 1 FROM vm_labels l WHERE l.vm_id = vms.id AND l.key = $" +
             std::to_string(params.size() - 1) + " AND l.value = $" +
             std::to_string(params.size()) + ")";
  }
  // One row more than asked tells whether there is a next page.
  inner += " ORDER BY seq LIMIT " + std::to_string(page.limit + 1);
  return pool_.Query<VmPage>(PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<VmPage> {
    std::vector<StoredVm> vms = ReadVms(
        txn.exec_params(SelectWithLabels(inner), pqxx::prepare::make_dynamic_params(params)));
    VmPage result;
    const bool more = vms.size() > static_cast<size_t>(page.limit);
    if (more) vms.resize(static_cast<size_t>(page.limit));
    for (StoredVm& vm : vms) result.items.push_back(std::move(vm.record));
    if (more) result.next_cursor = EncodeVmCursor(vms.back().seq);
    return result;
  });
}

Result<std::vector<VmRecord>> PostgresVmStore::ListAll() {
  return pool_.Query<std::vector<VmRecord>>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<std::vector<VmRecord>> {
        std::vector<VmRecord> records;
        for (StoredVm& vm : ReadVms(txn.exec(SelectWithLabels("SELECT * FROM vms")))) {
          records.push_back(std::move(vm.record));
        }
        return records;
      });
}

Result<VmRecord> PostgresVmStore::Update(const VmRecord& record, int64_t expected_version) {
  NOVACRON_RETURN_IF_ERROR(ValidateVmRecord(record));
  return pool_.Query<VmRecord>(
      PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Result<VmRecord> {
        int64_t previous_update = 0;
        NOVACRON_ASSIGN_OR_RETURN(const int64_t version,
                                  LockVersion(txn, record.id, expected_version, &previous_update));
        NOVACRON_RETURN_IF_ERROR(CheckNameFree(txn, record.id, record.name));
        // updated_at strictly increases per write, even if the clock did not move (or moved back).
        const int64_t now_us = std::max(pg::ToUnixMicros(pg::NowMicros()), previous_update + 1);
        pqxx::result updated;
        try {
          updated = txn.exec_params(
              "UPDATE vms SET name = $2, spec = $3, state = $4, drift = $5, last_error = $6, "
              "owner = $7, version = $8, updated_at = $9 WHERE id = $1 RETURNING created_at",
              record.id, record.name, record.spec_json, record.state, record.drift,
              record.last_error, record.owner, version + 1, now_us);
        } catch (const pqxx::unique_violation& e) {
          return UniqueViolation(e, &record, nullptr);
        }
        txn.exec_params("DELETE FROM vm_labels WHERE vm_id = $1", record.id);
        InsertLabels(txn, record);
        VmRecord stored = record;
        stored.version = version + 1;
        stored.created_at = pg::FromUnixMicros(updated[0][0].as<int64_t>());
        stored.updated_at = pg::FromUnixMicros(now_us);
        return stored;
      });
}

Status PostgresVmStore::Delete(const std::string& id, std::optional<int64_t> expected_version) {
  return pool_.Run(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Status {
    Result<int64_t> locked = LockVersion(txn, id, expected_version, nullptr);
    if (!locked.ok()) return locked.status();
    txn.exec_params("DELETE FROM vms WHERE id = $1", id);  // labels go with it (CASCADE)
    return Status::Ok();
  });
}

Result<IdempotencyRecord> PostgresVmStore::GetIdempotency(const std::string& key) {
  return pool_.Query<IdempotencyRecord>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<IdempotencyRecord> {
        pqxx::result rows = txn.exec_params(
            "SELECT fingerprint, status, body, created_at FROM idempotency_keys WHERE key = $1",
            key);
        if (rows.empty()) {
          return NotFound("idempotency key '" + key + "' not found");
        }
        IdempotencyRecord record;
        record.key = key;
        record.fingerprint = rows[0][0].as<std::string>();
        record.status = rows[0][1].as<int>();
        record.body = rows[0][2].as<std::string>();
        record.created_at = pg::FromUnixMicros(rows[0][3].as<int64_t>());
        return record;
      });
}

Status PostgresVmStore::PutIdempotency(const IdempotencyRecord& record) {
  NOVACRON_RETURN_IF_ERROR(ValidateIdempotency(record));
  const auto now = pg::NowMicros();
  return pool_.Run(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Status {
    NOVACRON_RETURN_IF_ERROR(CheckKeyFree(txn, record.key));
    try {
      InsertIdempotency(txn, record, now);
    } catch (const pqxx::unique_violation& e) {
      return UniqueViolation(e, nullptr, &record);  // a concurrent twin got there first
    }
    return Status::Ok();
  });
}

Result<int> PostgresVmStore::PruneIdempotency(std::chrono::system_clock::time_point before) {
  return pool_.Query<int>(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Result<int> {
    // Stored times are whole microseconds: t < before exactly when t < ceil(before).
    const int64_t before_us =
        std::chrono::ceil<std::chrono::microseconds>(before.time_since_epoch()).count();
    pqxx::result pruned =
        txn.exec_params("DELETE FROM idempotency_keys WHERE created_at < $1", before_us);
    return static_cast<int>(pruned.affected_rows());
  });
}

}  // namespace novacron::store
