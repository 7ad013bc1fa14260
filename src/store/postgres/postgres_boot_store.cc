#include "store/postgres/postgres_boot_store.h"

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "store/postgres/postgres_values.h"
#include "store/record_codec.h"

namespace novacron::store {
namespace {

using std::chrono::microseconds;
using std::chrono::system_clock;

// Serializes id assignment in BeginBoot ("novaboot" in ASCII).
constexpr int64_t kBootIdLock = 0x6e6f7661626f6f74;

constexpr char kBootColumns[] =
    "SELECT id, node_id, pid, version, strategy, started_at, state, total_duration_us, error, "
    "shutdown_at, clean_shutdown FROM boots ";

std::string BootName(int64_t boot_id) { return "boot " + std::to_string(boot_id); }

Status BootNotFound(int64_t boot_id, const std::string& location) {
  return NotFound(BootName(boot_id) + " not found in postgres " + location);
}

// The state of a boot, its row locked until the transaction ends; kNotFound when absent.
Result<std::string> LockBoot(pqxx::transaction_base& txn, int64_t boot_id,
                             const std::string& location) {
  pqxx::result rows = txn.exec_params("SELECT state FROM boots WHERE id = $1 FOR UPDATE", boot_id);
  if (rows.empty()) return BootNotFound(boot_id, location);
  return rows[0][0].as<std::string>();
}

Result<BootRecord> ReadBootRow(const pqxx::row& row) {
  BootRecord boot;
  boot.id = row[0].as<int64_t>();
  boot.info.node_id = row[1].as<std::string>();
  boot.info.pid = row[2].as<int64_t>();
  boot.info.version = row[3].as<std::string>();
  boot.info.strategy = row[4].as<std::string>();
  boot.info.started_at = pg::FromUnixMicros(row[5].as<int64_t>());
  NOVACRON_ASSIGN_OR_RETURN(boot.state, ParseBootState(row[6].as<std::string>()));
  boot.total_duration = ToOptionalDuration(pg::OptionalInt64(row[7]));
  boot.error = row[8].as<std::string>();
  if (!row[9].is_null()) {
    boot.shutdown = ShutdownRecord{pg::FromUnixMicros(row[9].as<int64_t>()),
                                   !row[10].is_null() && row[10].as<int64_t>() != 0};
  }
  return boot;
}

// Reads the boots `rows` (built on kBootColumns) with their components and checkpoints.
Result<std::vector<BootRecord>> ReadBoots(pqxx::transaction_base& txn, const pqxx::result& rows) {
  std::vector<BootRecord> boots;
  std::map<int64_t, BootRecord*> by_id;
  std::string ids = "{";
  for (const pqxx::row& row : rows) {
    NOVACRON_ASSIGN_OR_RETURN(BootRecord boot, ReadBootRow(row));
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(boot.id);
    boots.push_back(std::move(boot));
  }
  ids += '}';
  if (boots.empty()) return boots;
  for (BootRecord& boot : boots) by_id[boot.id] = &boot;

  pqxx::result components = txn.exec_params(
      "SELECT boot_id, name, phase, criticality, dependencies, state, attempts, start_offset_us, "
      "end_offset_us, error FROM boot_components WHERE boot_id = ANY($1::bigint[]) "
      "ORDER BY boot_id, CASE WHEN start_offset_us IS NULL THEN 1 ELSE 0 END, start_offset_us, "
      "seq",
      ids);
  for (const pqxx::row& row : components) {
    BootRecord& boot = *by_id.at(row[0].as<int64_t>());
    ComponentRecord c;
    c.name = row[1].as<std::string>();
    c.phase = row[2].as<std::string>();
    c.criticality = row[3].as<std::string>();
    NOVACRON_ASSIGN_OR_RETURN(
        c.dependencies,
        DecodeDependencies(row[4].as<std::string>(), BootName(boot.id) + " component " + c.name));
    c.state = row[5].as<std::string>();
    c.attempts = row[6].as<int>();
    c.start_offset = ToOptionalDuration(pg::OptionalInt64(row[7]));
    c.end_offset = ToOptionalDuration(pg::OptionalInt64(row[8]));
    c.error = row[9].as<std::string>();
    boot.components.push_back(std::move(c));
  }
  pqxx::result checkpoints = txn.exec_params(
      "SELECT boot_id, name, offset_us FROM boot_checkpoints WHERE boot_id = ANY($1::bigint[]) "
      "ORDER BY boot_id, offset_us, seq",
      ids);
  for (const pqxx::row& row : checkpoints) {
    by_id.at(row[0].as<int64_t>())
        ->checkpoints.push_back({row[1].as<std::string>(), microseconds(row[2].as<int64_t>())});
  }
  return boots;
}

}  // namespace

Result<int64_t> PostgresBootStore::BeginBoot(const BootInfo& info) {
  NOVACRON_RETURN_IF_ERROR(ValidateBootInfo(info));
  return pool_.Query<int64_t>(
      PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Result<int64_t> {
        txn.exec_params("SELECT pg_advisory_xact_lock($1)", kBootIdLock);
        const int64_t id =
            txn.exec("SELECT COALESCE(MAX(id), 0) + 1 FROM boots")[0][0].as<int64_t>();
        txn.exec_params(
            "INSERT INTO boots (id, node_id, pid, version, strategy, started_at, state, error) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, '')",
            id, info.node_id, info.pid, info.version, info.strategy,
            pg::ToUnixMicros(info.started_at), std::string(BootStateName(BootState::kInProgress)));
        // Components and checkpoints go with their boot (ON DELETE CASCADE).
        txn.exec_params(
            "DELETE FROM boots WHERE id NOT IN (SELECT id FROM boots ORDER BY id DESC LIMIT $1)",
            retention_);
        return id;
      });
}

Status PostgresBootStore::RecordComponent(int64_t boot_id, const ComponentRecord& component) {
  NOVACRON_RETURN_IF_ERROR(ValidateComponentRecord(component));
  const std::string dependencies = EncodeDependencies(component.dependencies);
  const pg::NullableInt64 start(OptionalMicros(component.start_offset));
  const pg::NullableInt64 end(OptionalMicros(component.end_offset));
  return pool_.Run(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Status {
    Result<std::string> state = LockBoot(txn, boot_id, pool_.location());
    if (!state.ok()) return state.status();
    pqxx::result updated = txn.exec_params(
        "UPDATE boot_components SET phase = $3, criticality = $4, dependencies = $5, state = $6, "
        "attempts = $7, start_offset_us = COALESCE($8::bigint, start_offset_us), "
        "end_offset_us = COALESCE($9::bigint, end_offset_us), error = $10 "
        "WHERE boot_id = $1 AND name = $2",
        boot_id, component.name, component.phase, component.criticality, dependencies,
        component.state, component.attempts, start.param(), end.param(), component.error);
    if (updated.affected_rows() == 0) {
      txn.exec_params(
          "INSERT INTO boot_components (boot_id, name, seq, phase, criticality, dependencies, "
          "state, attempts, start_offset_us, end_offset_us, error) VALUES ($1, $2, (SELECT "
          "COALESCE(MAX(seq), 0) + 1 FROM boot_components WHERE boot_id = $1), $3, $4, $5, $6, "
          "$7, $8::bigint, $9::bigint, $10)",
          boot_id, component.name, component.phase, component.criticality, dependencies,
          component.state, component.attempts, start.param(), end.param(), component.error);
    }
    return Status::Ok();
  });
}

Status PostgresBootStore::RecordCheckpoint(int64_t boot_id, std::string_view name,
                                           microseconds offset) {
  if (name.empty()) return InvalidArgument(BootName(boot_id) + ": checkpoint name is empty");
  const std::string checkpoint(name);
  return pool_.Run(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Status {
    Result<std::string> state = LockBoot(txn, boot_id, pool_.location());
    if (!state.ok()) return state.status();
    pqxx::result updated = txn.exec_params(
        "UPDATE boot_checkpoints SET offset_us = $3 WHERE boot_id = $1 AND name = $2", boot_id,
        checkpoint, static_cast<int64_t>(offset.count()));
    if (updated.affected_rows() == 0) {
      txn.exec_params(
          "INSERT INTO boot_checkpoints (boot_id, name, seq, offset_us) VALUES ($1, $2, (SELECT "
          "COALESCE(MAX(seq), 0) + 1 FROM boot_checkpoints WHERE boot_id = $1), $3)",
          boot_id, checkpoint, static_cast<int64_t>(offset.count()));
    }
    return Status::Ok();
  });
}

Status PostgresBootStore::FinishBoot(int64_t boot_id, BootState outcome,
                                     microseconds total_duration, std::string_view error) {
  if (outcome != BootState::kReady && outcome != BootState::kDegraded &&
      outcome != BootState::kFailed) {
    return InvalidArgument(BootName(boot_id) + ": cannot finish as '" +
                           std::string(BootStateName(outcome)) + "' (ready, degraded or failed)");
  }
  if (total_duration.count() < 0) {
    return InvalidArgument(BootName(boot_id) + ": negative total duration " +
                           std::to_string(total_duration.count()) + "us");
  }
  return pool_.Run(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Status {
    Result<std::string> state = LockBoot(txn, boot_id, pool_.location());
    if (!state.ok()) return state.status();
    if (*state != BootStateName(BootState::kInProgress)) {
      return Conflict(BootName(boot_id) + " is " + *state +
                      ", not in_progress; cannot finish it as " +
                      std::string(BootStateName(outcome)));
    }
    txn.exec_params("UPDATE boots SET state = $2, total_duration_us = $3, error = $4 WHERE id = $1",
                    boot_id, std::string(BootStateName(outcome)),
                    static_cast<int64_t>(total_duration.count()), std::string(error));
    return Status::Ok();
  });
}

Status PostgresBootStore::RecordShutdown(int64_t boot_id, system_clock::time_point at, bool clean) {
  return pool_.Run(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Status {
    Result<std::string> state = LockBoot(txn, boot_id, pool_.location());
    if (!state.ok()) return state.status();
    if (*state == BootStateName(BootState::kInterrupted) ||
        *state == BootStateName(BootState::kCrashed)) {
      return Conflict(BootName(boot_id) + " is already " + *state +
                      "; a later boot found its process gone");
    }
    txn.exec_params("UPDATE boots SET shutdown_at = $2, clean_shutdown = $3 WHERE id = $1", boot_id,
                    pg::ToUnixMicros(at), clean ? 1 : 0);
    return Status::Ok();
  });
}

Result<int> PostgresBootStore::MarkInterrupted(int64_t current_boot_id) {
  return pool_.Query<int>(PgAccess::kWrite, [&](pqxx::transaction_base& txn) -> Result<int> {
    pqxx::result current =
        txn.exec_params("SELECT node_id FROM boots WHERE id = $1", current_boot_id);
    if (current.empty()) return BootNotFound(current_boot_id, pool_.location());
    const std::string node_id = current[0][0].as<std::string>();
    const std::string found_by = "; found by boot " + std::to_string(current_boot_id);
    // The error keeps what an earlier FinishBoot wrote (e.g. why the boot was degraded).
    pqxx::result interrupted = txn.exec_params(
        "UPDATE boots SET state = $1, error = 'process (pid ' || pid || ') ended during the boot' "
        "|| $2::text || CASE WHEN error = '' THEN '' ELSE '; ' || error END "
        "WHERE node_id = $3 AND id < $4 AND state = $5",
        std::string(BootStateName(BootState::kInterrupted)), found_by, node_id, current_boot_id,
        std::string(BootStateName(BootState::kInProgress)));
    pqxx::result crashed = txn.exec_params(
        "UPDATE boots SET state = $1, error = 'daemon (pid ' || pid || ') stopped without "
        "recording a shutdown after a ' || state || ' boot' || $2::text || "
        "CASE WHEN error = '' THEN '' ELSE '; ' || error END "
        "WHERE node_id = $3 AND id < $4 AND state IN ($5, $6) AND shutdown_at IS NULL",
        std::string(BootStateName(BootState::kCrashed)), found_by, node_id, current_boot_id,
        std::string(BootStateName(BootState::kReady)),
        std::string(BootStateName(BootState::kDegraded)));
    return static_cast<int>(interrupted.affected_rows() + crashed.affected_rows());
  });
}

Result<std::vector<BootRecord>> PostgresBootStore::ListBoots(int limit) {
  if (limit <= 0) {
    return InvalidArgument("list boots: limit " + std::to_string(limit) + " is not positive");
  }
  return pool_.Query<std::vector<BootRecord>>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<std::vector<BootRecord>> {
        return ReadBoots(
            txn, txn.exec_params(std::string(kBootColumns) + "ORDER BY id DESC LIMIT $1", limit));
      });
}

Result<BootRecord> PostgresBootStore::GetBoot(int64_t boot_id) {
  return pool_.Query<BootRecord>(
      PgAccess::kRead, [&](pqxx::transaction_base& txn) -> Result<BootRecord> {
        NOVACRON_ASSIGN_OR_RETURN(
            std::vector<BootRecord> boots,
            ReadBoots(txn, txn.exec_params(std::string(kBootColumns) + "WHERE id = $1", boot_id)));
        if (boots.empty()) return BootNotFound(boot_id, pool_.location());
        return std::move(boots.front());
      });
}

}  // namespace novacron::store
