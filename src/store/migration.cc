#include "store/migration.h"

#include <algorithm>
#include <set>

namespace novacron::store {

const char* const kSchemaMigrationsTableSql =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  version INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  applied_at BIGINT NOT NULL -- unix time, microseconds\n"
    ")";

Status ValidateMigrations(std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version != static_cast<int>(i) + 1) {
      return Internal("migration list: entry " + std::to_string(i) + " ('" + m.name +
                      "') has version " + std::to_string(m.version) + ", expected " +
                      std::to_string(i + 1));
    }
    if (m.name.empty() || m.sql.empty()) {
      return Internal("migration list: version " + std::to_string(m.version) +
                      " has an empty name or script");
    }
  }
  return Status::Ok();
}

int LatestVersion(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

Result<std::vector<Migration>> PendingMigrations(std::span<const Migration> known,
                                                 std::span<const AppliedMigration> applied,
                                                 std::string_view database) {
  NOVACRON_RETURN_IF_ERROR(ValidateMigrations(known));
  const int latest = LatestVersion(known);
  int newest_applied = 0;
  for (const AppliedMigration& a : applied) newest_applied = std::max(newest_applied, a.version);
  if (newest_applied > latest) {
    return FailedPrecondition("database schema version " + std::to_string(newest_applied) +
                              " is newer than this novacron (knows " + std::to_string(latest) +
                              "); refusing to start (" + std::string(database) + ")");
  }
  std::set<int> done;
  for (const AppliedMigration& a : applied) {
    if (a.version < 1) {
      return FailedPrecondition("database " + std::string(database) +
                                ": schema_migrations has invalid version " +
                                std::to_string(a.version));
    }
    const Migration& mine = known[static_cast<size_t>(a.version) - 1];
    if (mine.name != a.name) {
      return FailedPrecondition("database " + std::string(database) + ": migration " +
                                std::to_string(a.version) + " is '" + a.name + "' there but '" +
                                mine.name + "' in this novacron; the schemas have diverged");
    }
    done.insert(a.version);
  }
  std::vector<Migration> pending;
  for (const Migration& m : known) {
    if (!done.contains(m.version)) pending.push_back(m);
  }
  return pending;
}

}  // namespace novacron::store
