// The backend-independent store conformance suite on SQLite, plus what only SQLite has: a file
// that must keep acknowledged records across a close, and upgrades from schema versions 1 and 3.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "store/schema.h"
#include "store/sqlite_database.h"
#include "store/sqlite_migrator.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"
#include "store/testing/store_conformance.h"
#include "store/testing/temp_sqlite_store.h"
#include "store/testing/vm_test_records.h"

namespace novacron::store::testing {

namespace {

using ::testing::ElementsAre;

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(StoreFactory{"sqlite", &OpenFreshSqlite}),
                         StoreFactoryName);

class SqliteVmStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<StateStore> Open() {
    Result<std::unique_ptr<StateStore>> store =
        OpenSqliteStateStore({.data_dir = data_dir(), .busy_timeout = std::chrono::seconds(60)});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::filesystem::path data_dir() const { return dir_.path() / "data"; }

  TempDir dir_;
};

TEST_F(SqliteVmStoreTest, AcknowledgedRecordsSurviveReopening) {
  VmRecord created;
  VmRecord updated;
  IdempotencyRecord idempotency{
      .key = "key-1", .fingerprint = "POST /v1/vms", .status = 201, .body = "{}", .created_at = {}};
  {
    std::unique_ptr<StateStore> store = Open();
    ASSERT_NE(store, nullptr);
    created = MustCreate(store->vms(), NewVm("db1", "running", {{"app", "shop"}}));
    VmRecord change = MustCreate(store->vms(), NewVm("web1", "defined"));
    change.state = "running";
    Result<VmRecord> result = store->vms().Update(change, 1);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    updated = *result;
    ASSERT_TRUE(store->vms().PutIdempotency(idempotency).ok());
  }
  std::unique_ptr<StateStore> reopened = Open();
  ASSERT_NE(reopened, nullptr);
  Result<std::vector<VmRecord>> all = reopened->vms().ListAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_THAT(*all, ElementsAre(created, updated));
  Result<IdempotencyRecord> key = reopened->vms().GetIdempotency("key-1");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->body, "{}");
  // Seqs continue after the reopen: a new record sorts last.
  VmRecord later = MustCreate(reopened->vms(), NewVm("later"));
  Result<std::vector<VmRecord>> after = reopened->vms().ListAll();
  ASSERT_TRUE(after.ok());
  EXPECT_THAT(*after, ElementsAre(created, updated, later));
}

TEST_F(SqliteVmStoreTest, UpgradesADatabaseThatHasOnlyBootRecords) {
  ASSERT_GE(LatestVersion(StoreMigrations()), 2);
  ASSERT_TRUE(std::filesystem::create_directories(data_dir()));
  int64_t boot_id = 0;
  {
    Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(data_dir() / kSqliteFileName);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Result<MigrationOutcome> v1 = MigrateSqlite(**db, StoreMigrations().first(1));
    ASSERT_TRUE(v1.ok()) << v1.status().ToString();
    ASSERT_EQ(v1->to_version, 1);
    Result<SqliteTransaction> txn = (*db)->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Exec("INSERT INTO boots (id, node_id, pid, version, strategy, started_at, "
                          "state, error) VALUES (7, 'node-a', 1, '0.0.9', 'eager', 0, 'ready', '')")
                    .ok());
    ASSERT_TRUE(txn->Commit().ok());
    boot_id = 7;
  }
  std::unique_ptr<StateStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), LatestVersion(StoreMigrations()));
  Result<BootRecord> boot = store->boots().GetBoot(boot_id);
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  EXPECT_EQ(boot->info.version, "0.0.9");
  VmRecord created = MustCreate(store->vms(), NewVm("web1", "running", {{"app", "shop"}}));
  Result<VmPage> page = store->vms().List({.state = "running", .labels = {{"app", "shop"}}}, {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_THAT(page->items, ElementsAre(created));
  Result<std::vector<AppliedMigration>> applied = [&] {
    store.reset();  // one connection at a time keeps this simple
    Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(data_dir() / kSqliteFileName);
    if (!db.ok()) return Result<std::vector<AppliedMigration>>(db.status());
    return AppliedSqliteMigrations(**db);
  }();
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_GE(applied->size(), 2u);
  EXPECT_EQ((*applied)[1].name, "vm_records");
}

// VMs recorded before migration 4 ("vm_owner") read back unplaced, and can be given an owner.
TEST_F(SqliteVmStoreTest, UpgradedVmsHaveNoOwner) {
  ASSERT_GE(LatestVersion(StoreMigrations()), 4);
  ASSERT_EQ(StoreMigrations()[3].name, "vm_owner");
  ASSERT_TRUE(std::filesystem::create_directories(data_dir()));
  const std::string id = NewUuid();
  {
    Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(data_dir() / kSqliteFileName);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Result<MigrationOutcome> v3 = MigrateSqlite(**db, StoreMigrations().first(3));
    ASSERT_TRUE(v3.ok()) << v3.status().ToString();
    ASSERT_EQ(v3->to_version, 3);
    Result<SqliteTransaction> txn = (*db)->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Exec("UPDATE vm_seq SET last_seq = 1 WHERE id = 1").ok());
    ASSERT_TRUE(txn->Exec("INSERT INTO vms (id, seq, name, spec, state, drift, last_error, "
                          "version, created_at, updated_at) VALUES ('" +
                          id + "', 1, 'web1', '{}', 'running', '', '', 3, 10, 20)")
                    .ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  std::unique_ptr<StateStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), LatestVersion(StoreMigrations()));
  Result<VmRecord> old = store->vms().Get(id);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->name, "web1");
  EXPECT_EQ(old->owner, "");
  EXPECT_EQ(old->version, 3);
  VmRecord change = *old;
  change.owner = "n1";
  Result<VmRecord> placed = store->vms().Update(change, 3);
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(store->vms().GetByName("web1")->owner, "n1");
}

}  // namespace
}  // namespace novacron::store::testing
