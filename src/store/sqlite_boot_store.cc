#include "store/sqlite_boot_store.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "store/record_codec.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_transaction.h"

// Evaluates `expr` (a Result<T>); returns its Status on error, else moves the value into `lhs`.
#define STORE_ASSIGN_OR_RETURN(lhs, expr) \
  STORE_ASSIGN_OR_RETURN_IMPL(STORE_CONCAT(r_, __LINE__), lhs, expr)
#define STORE_CONCAT_INNER(a, b) a##b
#define STORE_CONCAT(a, b) STORE_CONCAT_INNER(a, b)
#define STORE_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                                \
  if (!result.ok()) return result.status();            \
  lhs = std::move(result).value()

namespace novacron::store {
namespace {

using std::chrono::microseconds;
using std::chrono::system_clock;

constexpr char kBootColumns[] =
    "SELECT id, node_id, pid, version, strategy, started_at, state, total_duration_us, error, "
    "shutdown_at, clean_shutdown FROM boots ";

std::string BootName(int64_t boot_id) { return "boot " + std::to_string(boot_id); }

// The stored state of a boot; kNotFound when there is no such boot.
Result<std::string> StateOf(SqliteTransaction& txn, int64_t boot_id, const std::string& path) {
  STORE_ASSIGN_OR_RETURN(SqliteStatement select,
                         txn.Prepare("SELECT state FROM boots WHERE id = ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindInt64(1, boot_id));
  STORE_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NotFound(BootName(boot_id) + " not found in " + path);
  return select.Text(0);
}

Status RequireBoot(SqliteTransaction& txn, int64_t boot_id, const std::string& path) {
  return StateOf(txn, boot_id, path).status();
}

// Reads the boots row the statement (built on kBootColumns) is positioned on.
Result<BootRecord> ReadBootRow(const SqliteStatement& row) {
  BootRecord boot;
  boot.id = row.Int64(0);
  boot.info.node_id = row.Text(1);
  boot.info.pid = row.Int64(2);
  boot.info.version = row.Text(3);
  boot.info.strategy = row.Text(4);
  boot.info.started_at = FromUnixMicros(row.Int64(5));
  STORE_ASSIGN_OR_RETURN(boot.state, ParseBootState(row.Text(6)));
  boot.total_duration = ToOptionalDuration(row.OptionalInt64(7));
  boot.error = row.Text(8);
  if (!row.IsNull(9)) {
    boot.shutdown = ShutdownRecord{FromUnixMicros(row.Int64(9)), row.Int64(10) != 0};
  }
  return boot;
}

// Fills in the components and checkpoints of `boot` using the two prepared statements.
Status LoadChildren(SqliteStatement& components, SqliteStatement& checkpoints, BootRecord& boot) {
  NOVACRON_RETURN_IF_ERROR(components.Reset());
  NOVACRON_RETURN_IF_ERROR(components.BindInt64(1, boot.id));
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool has_row, components.Step());
    if (!has_row) break;
    ComponentRecord c;
    c.name = components.Text(0);
    c.phase = components.Text(1);
    c.criticality = components.Text(2);
    STORE_ASSIGN_OR_RETURN(
        c.dependencies,
        DecodeDependencies(components.Text(3), BootName(boot.id) + " component " + c.name));
    c.state = components.Text(4);
    c.attempts = static_cast<int>(components.Int64(5));
    c.start_offset = ToOptionalDuration(components.OptionalInt64(6));
    c.end_offset = ToOptionalDuration(components.OptionalInt64(7));
    c.error = components.Text(8);
    boot.components.push_back(std::move(c));
  }
  NOVACRON_RETURN_IF_ERROR(checkpoints.Reset());
  NOVACRON_RETURN_IF_ERROR(checkpoints.BindInt64(1, boot.id));
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool has_row, checkpoints.Step());
    if (!has_row) break;
    boot.checkpoints.push_back({checkpoints.Text(0), microseconds(checkpoints.Int64(1))});
  }
  return Status::Ok();
}

// Reads the boots selected by `select` (built on kBootColumns, parameters bound) with children.
Result<std::vector<BootRecord>> ReadBoots(SqliteTransaction& txn, SqliteStatement& select) {
  std::vector<BootRecord> boots;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) break;
    STORE_ASSIGN_OR_RETURN(BootRecord boot, ReadBootRow(select));
    boots.push_back(std::move(boot));
  }
  STORE_ASSIGN_OR_RETURN(
      SqliteStatement components,
      txn.Prepare("SELECT name, phase, criticality, dependencies, state, attempts, "
                  "start_offset_us, end_offset_us, error FROM boot_components WHERE boot_id = ? "
                  "ORDER BY CASE WHEN start_offset_us IS NULL THEN 1 ELSE 0 END, "
                  "start_offset_us, seq"));
  STORE_ASSIGN_OR_RETURN(SqliteStatement checkpoints,
                         txn.Prepare("SELECT name, offset_us FROM boot_checkpoints "
                                     "WHERE boot_id = ? ORDER BY offset_us, seq"));
  for (BootRecord& boot : boots) {
    NOVACRON_RETURN_IF_ERROR(LoadChildren(components, checkpoints, boot));
  }
  return boots;
}

}  // namespace

Result<int64_t> SqliteBootStore::BeginBoot(const BootInfo& info) {
  NOVACRON_RETURN_IF_ERROR(ValidateBootInfo(info));
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  int64_t id = 0;
  {
    // Under the write lock, so concurrent writers cannot pick the same id.
    STORE_ASSIGN_OR_RETURN(SqliteStatement next_id,
                           txn.Prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM boots"));
    STORE_ASSIGN_OR_RETURN(bool has_row, next_id.Step());
    if (!has_row) return Internal("boot store: MAX(id) returned no row");
    id = next_id.Int64(0);
  }
  {
    STORE_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        txn.Prepare("INSERT INTO boots (id, node_id, pid, version, strategy, started_at, state, "
                    "error) VALUES (?, ?, ?, ?, ?, ?, ?, '')"));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(1, id));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(2, info.node_id));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(3, info.pid));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(4, info.version));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(5, info.strategy));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(6, ToUnixMicros(info.started_at)));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(7, BootStateName(BootState::kInProgress)));
    NOVACRON_RETURN_IF_ERROR(insert.Run());
  }
  {
    // Components and checkpoints go with their boot (ON DELETE CASCADE).
    STORE_ASSIGN_OR_RETURN(SqliteStatement prune,
                           txn.Prepare("DELETE FROM boots WHERE id NOT IN "
                                       "(SELECT id FROM boots ORDER BY id DESC LIMIT ?)"));
    NOVACRON_RETURN_IF_ERROR(prune.BindInt64(1, retention_));
    NOVACRON_RETURN_IF_ERROR(prune.Run());
  }
  NOVACRON_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Status SqliteBootStore::RecordComponent(int64_t boot_id, const ComponentRecord& component) {
  NOVACRON_RETURN_IF_ERROR(ValidateComponentRecord(component));
  const std::string dependencies = EncodeDependencies(component.dependencies);
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  NOVACRON_RETURN_IF_ERROR(RequireBoot(txn, boot_id, db_.path()));
  int64_t updated = 0;
  {
    STORE_ASSIGN_OR_RETURN(
        SqliteStatement update,
        txn.Prepare("UPDATE boot_components SET phase = :phase, criticality = :criticality, "
                    "dependencies = :dependencies, state = :state, attempts = :attempts, "
                    "start_offset_us = COALESCE(:start, start_offset_us), "
                    "end_offset_us = COALESCE(:end, end_offset_us), error = :error "
                    "WHERE boot_id = :boot AND name = :name"));
    NOVACRON_RETURN_IF_ERROR(update.BindText(":phase", component.phase));
    NOVACRON_RETURN_IF_ERROR(update.BindText(":criticality", component.criticality));
    NOVACRON_RETURN_IF_ERROR(update.BindText(":dependencies", dependencies));
    NOVACRON_RETURN_IF_ERROR(update.BindText(":state", component.state));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(":attempts", component.attempts));
    NOVACRON_RETURN_IF_ERROR(
        update.BindOptionalInt64(":start", OptionalMicros(component.start_offset)));
    NOVACRON_RETURN_IF_ERROR(
        update.BindOptionalInt64(":end", OptionalMicros(component.end_offset)));
    NOVACRON_RETURN_IF_ERROR(update.BindText(":error", component.error));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(":boot", boot_id));
    NOVACRON_RETURN_IF_ERROR(update.BindText(":name", component.name));
    NOVACRON_RETURN_IF_ERROR(update.Run());
    updated = txn.changes();
  }
  if (updated == 0) {
    STORE_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        txn.Prepare("INSERT INTO boot_components (boot_id, name, seq, phase, criticality, "
                    "dependencies, state, attempts, start_offset_us, end_offset_us, error) "
                    "VALUES (:boot, :name, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                    "boot_components WHERE boot_id = :boot), :phase, :criticality, "
                    ":dependencies, :state, :attempts, :start, :end, :error)"));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(":boot", boot_id));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(":name", component.name));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(":phase", component.phase));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(":criticality", component.criticality));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(":dependencies", dependencies));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(":state", component.state));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(":attempts", component.attempts));
    NOVACRON_RETURN_IF_ERROR(
        insert.BindOptionalInt64(":start", OptionalMicros(component.start_offset)));
    NOVACRON_RETURN_IF_ERROR(
        insert.BindOptionalInt64(":end", OptionalMicros(component.end_offset)));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(":error", component.error));
    NOVACRON_RETURN_IF_ERROR(insert.Run());
  }
  return txn.Commit();
}

Status SqliteBootStore::RecordCheckpoint(int64_t boot_id, std::string_view name,
                                         microseconds offset) {
  if (name.empty()) return InvalidArgument(BootName(boot_id) + ": checkpoint name is empty");
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  NOVACRON_RETURN_IF_ERROR(RequireBoot(txn, boot_id, db_.path()));
  int64_t updated = 0;
  {
    STORE_ASSIGN_OR_RETURN(SqliteStatement update,
                           txn.Prepare("UPDATE boot_checkpoints SET offset_us = ? "
                                       "WHERE boot_id = ? AND name = ?"));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(1, offset.count()));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(2, boot_id));
    NOVACRON_RETURN_IF_ERROR(update.BindText(3, name));
    NOVACRON_RETURN_IF_ERROR(update.Run());
    updated = txn.changes();
  }
  if (updated == 0) {
    STORE_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        txn.Prepare("INSERT INTO boot_checkpoints (boot_id, name, seq, offset_us) VALUES "
                    "(:boot, :name, (SELECT COALESCE(MAX(seq), 0) + 1 FROM boot_checkpoints "
                    "WHERE boot_id = :boot), :offset)"));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(":boot", boot_id));
    NOVACRON_RETURN_IF_ERROR(insert.BindText(":name", name));
    NOVACRON_RETURN_IF_ERROR(insert.BindInt64(":offset", offset.count()));
    NOVACRON_RETURN_IF_ERROR(insert.Run());
  }
  return txn.Commit();
}

Status SqliteBootStore::FinishBoot(int64_t boot_id, BootState outcome, microseconds total_duration,
                                   std::string_view error) {
  if (outcome != BootState::kReady && outcome != BootState::kDegraded &&
      outcome != BootState::kFailed) {
    return InvalidArgument(BootName(boot_id) + ": cannot finish as '" +
                           std::string(BootStateName(outcome)) + "' (ready, degraded or failed)");
  }
  if (total_duration.count() < 0) {
    return InvalidArgument(BootName(boot_id) + ": negative total duration " +
                           std::to_string(total_duration.count()) + "us");
  }
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  int64_t updated = 0;
  {
    STORE_ASSIGN_OR_RETURN(SqliteStatement update,
                           txn.Prepare("UPDATE boots SET state = ?, total_duration_us = ?, "
                                       "error = ? WHERE id = ? AND state = ?"));
    NOVACRON_RETURN_IF_ERROR(update.BindText(1, BootStateName(outcome)));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(2, total_duration.count()));
    NOVACRON_RETURN_IF_ERROR(update.BindText(3, error));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(4, boot_id));
    NOVACRON_RETURN_IF_ERROR(update.BindText(5, BootStateName(BootState::kInProgress)));
    NOVACRON_RETURN_IF_ERROR(update.Run());
    updated = txn.changes();
  }
  if (updated == 0) {
    STORE_ASSIGN_OR_RETURN(std::string state, StateOf(txn, boot_id, db_.path()));
    return Conflict(BootName(boot_id) + " is " + state + ", not in_progress; cannot finish it as " +
                    std::string(BootStateName(outcome)));
  }
  return txn.Commit();
}

Status SqliteBootStore::RecordShutdown(int64_t boot_id, system_clock::time_point at, bool clean) {
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  int64_t updated = 0;
  {
    STORE_ASSIGN_OR_RETURN(SqliteStatement update,
                           txn.Prepare("UPDATE boots SET shutdown_at = ?, clean_shutdown = ? "
                                       "WHERE id = ? AND state NOT IN (?, ?)"));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(1, ToUnixMicros(at)));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(2, clean ? 1 : 0));
    NOVACRON_RETURN_IF_ERROR(update.BindInt64(3, boot_id));
    NOVACRON_RETURN_IF_ERROR(update.BindText(4, BootStateName(BootState::kInterrupted)));
    NOVACRON_RETURN_IF_ERROR(update.BindText(5, BootStateName(BootState::kCrashed)));
    NOVACRON_RETURN_IF_ERROR(update.Run());
    updated = txn.changes();
  }
  if (updated == 0) {
    STORE_ASSIGN_OR_RETURN(std::string state, StateOf(txn, boot_id, db_.path()));
    return Conflict(BootName(boot_id) + " is already " + state +
                    "; a later boot found its process gone");
  }
  return txn.Commit();
}

Result<int> SqliteBootStore::MarkInterrupted(int64_t current_boot_id) {
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kWrite));
  std::string node_id;
  {
    STORE_ASSIGN_OR_RETURN(SqliteStatement select,
                           txn.Prepare("SELECT node_id FROM boots WHERE id = ?"));
    NOVACRON_RETURN_IF_ERROR(select.BindInt64(1, current_boot_id));
    STORE_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return NotFound(BootName(current_boot_id) + " not found in " + db_.path());
    node_id = select.Text(0);
  }
  const std::string found_by = "; found by boot " + std::to_string(current_boot_id);
  int64_t marked = 0;
  {
    // The error keeps what an earlier FinishBoot wrote (e.g. why the boot was degraded).
    STORE_ASSIGN_OR_RETURN(
        SqliteStatement interrupted,
        txn.Prepare("UPDATE boots SET state = :new_state, error = 'process (pid ' || pid || "
                    "') ended during the boot' || :found_by || "
                    "CASE WHEN error = '' THEN '' ELSE '; ' || error END "
                    "WHERE node_id = :node AND id < :current AND state = :old_state"));
    NOVACRON_RETURN_IF_ERROR(
        interrupted.BindText(":new_state", BootStateName(BootState::kInterrupted)));
    NOVACRON_RETURN_IF_ERROR(interrupted.BindText(":found_by", found_by));
    NOVACRON_RETURN_IF_ERROR(interrupted.BindText(":node", node_id));
    NOVACRON_RETURN_IF_ERROR(interrupted.BindInt64(":current", current_boot_id));
    NOVACRON_RETURN_IF_ERROR(
        interrupted.BindText(":old_state", BootStateName(BootState::kInProgress)));
    NOVACRON_RETURN_IF_ERROR(interrupted.Run());
    marked += txn.changes();
  }
  {
    STORE_ASSIGN_OR_RETURN(
        SqliteStatement crashed,
        txn.Prepare("UPDATE boots SET state = :new_state, error = 'daemon (pid ' || pid || "
                    "') stopped without recording a shutdown after a ' || state || ' boot' || "
                    ":found_by || CASE WHEN error = '' THEN '' ELSE '; ' || error END "
                    "WHERE node_id = :node AND id < :current AND state IN (:ready, :degraded) "
                    "AND shutdown_at IS NULL"));
    NOVACRON_RETURN_IF_ERROR(crashed.BindText(":new_state", BootStateName(BootState::kCrashed)));
    NOVACRON_RETURN_IF_ERROR(crashed.BindText(":found_by", found_by));
    NOVACRON_RETURN_IF_ERROR(crashed.BindText(":node", node_id));
    NOVACRON_RETURN_IF_ERROR(crashed.BindInt64(":current", current_boot_id));
    NOVACRON_RETURN_IF_ERROR(crashed.BindText(":ready", BootStateName(BootState::kReady)));
    NOVACRON_RETURN_IF_ERROR(crashed.BindText(":degraded", BootStateName(BootState::kDegraded)));
    NOVACRON_RETURN_IF_ERROR(crashed.Run());
    marked += txn.changes();
  }
  NOVACRON_RETURN_IF_ERROR(txn.Commit());
  return static_cast<int>(marked);
}

Result<std::vector<BootRecord>> SqliteBootStore::ListBoots(int limit) {
  if (limit <= 0) {
    return InvalidArgument("list boots: limit " + std::to_string(limit) + " is not positive");
  }
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  STORE_ASSIGN_OR_RETURN(SqliteStatement select,
                         txn.Prepare(std::string(kBootColumns) + "ORDER BY id DESC LIMIT ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindInt64(1, limit));
  return ReadBoots(txn, select);
}

Result<BootRecord> SqliteBootStore::GetBoot(int64_t boot_id) {
  STORE_ASSIGN_OR_RETURN(SqliteTransaction txn, db_.Begin(TransactionMode::kRead));
  STORE_ASSIGN_OR_RETURN(SqliteStatement select,
                         txn.Prepare(std::string(kBootColumns) + "WHERE id = ?"));
  NOVACRON_RETURN_IF_ERROR(select.BindInt64(1, boot_id));
  STORE_ASSIGN_OR_RETURN(std::vector<BootRecord> boots, ReadBoots(txn, select));
  if (boots.empty()) return NotFound(BootName(boot_id) + " not found in " + db_.path());
  return std::move(boots.front());
}

}  // namespace novacron::store
