#include "store/sqlite_database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <limits>

#include "store/sqlite_error.h"
#include "store/test_temp_dir.h"

namespace novacron::store {
namespace {

using ::testing::HasSubstr;

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    ASSERT_TRUE(txn->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  std::filesystem::path path() const { return dir_.path() / "test.db"; }

  // Number of rows in t, read in its own transaction.
  int64_t CountRows() {
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kRead);
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    if (!txn.ok()) return -1;
    Result<SqliteStatement> count = txn->Prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(count.ok()) << count.status().ToString();
    if (!count.ok()) return -1;
    Result<bool> row = count->Step();
    EXPECT_TRUE(row.ok() && *row);
    return count->Int64(0);
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteDatabase> db_;
};

std::string PragmaValue(SqliteDatabase& db, const char* sql) {
  Result<SqliteTransaction> txn = db.Begin(TransactionMode::kRead);
  if (!txn.ok()) return "error: " + txn.status().ToString();
  Result<SqliteStatement> pragma = txn->Prepare(sql);
  if (!pragma.ok()) return "error: " + pragma.status().ToString();
  Result<bool> row = pragma->Step();
  if (!row.ok() || !*row) return "no row";
  return pragma->Text(0);
}

TEST_F(SqliteDatabaseTest, OpenAppliesDurabilityPragmas) {
  EXPECT_EQ(PragmaValue(*db_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(PragmaValue(*db_, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(PragmaValue(*db_, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(PragmaValue(*db_, "PRAGMA busy_timeout"), "5000");
  EXPECT_EQ(db_->path(), path().string());
}

TEST_F(SqliteDatabaseTest, OpenInMissingDirectoryNamesThePath) {
  std::filesystem::path missing = dir_.path() / "no" / "such" / "dir" / "x.db";
  Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(missing);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr(missing.string()));
}

TEST_F(SqliteDatabaseTest, OpenRejectsAFileThatIsNotADatabase) {
  std::filesystem::path bogus = dir_.path() / "bogus.db";
  {
    std::FILE* f = std::fopen(bogus.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not an sqlite database, just text that is long enough to look", f);
    std::fclose(f);
  }
  Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(bogus);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr(bogus.string()));
}

TEST_F(SqliteDatabaseTest, BindsByIndexAndNameAndReadsColumns) {
  const std::string text_with_nul("a\0b \xC3\xA9", 6);
  {
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    Result<SqliteStatement> insert = txn->Prepare("INSERT INTO t VALUES (?, ?, ?)");
    ASSERT_TRUE(insert.ok()) << insert.status().ToString();
    ASSERT_TRUE(insert->BindInt64(1, std::numeric_limits<int64_t>::max()).ok());
    ASSERT_TRUE(insert->BindText(2, text_with_nul).ok());
    ASSERT_TRUE(insert->BindDouble(3, 2.5).ok());
    ASSERT_TRUE(insert->Run().ok());
    // Reset keeps bindings; rebind only what changes.
    ASSERT_TRUE(insert->BindInt64(1, -7).ok());
    ASSERT_TRUE(insert->BindNull(2).ok());
    ASSERT_TRUE(insert->Run().ok());

    Result<SqliteStatement> named = txn->Prepare("INSERT INTO t VALUES (:id, :name, @score)");
    ASSERT_TRUE(named.ok()) << named.status().ToString();
    ASSERT_TRUE(named->BindInt64(":id", 3).ok());
    ASSERT_TRUE(named->BindText(":name", "three").ok());
    ASSERT_TRUE(named->BindOptionalInt64("@score", std::nullopt).ok());
    ASSERT_TRUE(named->Run().ok());
    ASSERT_EQ(txn->changes(), 1);
    ASSERT_TRUE(txn->Commit().ok());
  }
  Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kRead);
  ASSERT_TRUE(txn.ok());
  Result<SqliteStatement> select = txn->Prepare("SELECT id, name, score FROM t ORDER BY id");
  ASSERT_TRUE(select.ok());
  EXPECT_EQ(select->column_count(), 3);

  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Int64(0), -7);
  EXPECT_TRUE(select->IsNull(1));
  EXPECT_EQ(select->Text(1), "");
  EXPECT_DOUBLE_EQ(select->Double(2), 2.5);

  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Int64(0), 3);
  EXPECT_EQ(select->Text(1), "three");
  EXPECT_EQ(select->OptionalInt64(2), std::nullopt);

  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Int64(0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(select->Text(1), text_with_nul);
  EXPECT_EQ(select->OptionalInt64(0), std::numeric_limits<int64_t>::max());

  Result<bool> done = select->Step();
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
}

TEST_F(SqliteDatabaseTest, UnknownParameterNameIsAnError) {
  Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
  ASSERT_TRUE(txn.ok());
  Result<SqliteStatement> insert = txn->Prepare("INSERT INTO t (id) VALUES (:id)");
  ASSERT_TRUE(insert.ok());
  Status s = insert->BindInt64(":nope", 1);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(":nope"));
  EXPECT_THAT(s.message(), HasSubstr("INSERT INTO t (id) VALUES (:id)"));
  Status out_of_range = insert->BindInt64(5, 1);
  EXPECT_EQ(out_of_range.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(out_of_range.message(), HasSubstr("parameter 5"));
}

TEST_F(SqliteDatabaseTest, PrepareErrorNamesSqlAndDatabase) {
  Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kRead);
  ASSERT_TRUE(txn.ok());
  Result<SqliteStatement> bad = txn->Prepare("SELECT *   FROM\n missing_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(bad.status().message(), HasSubstr("no such table: missing_table"));
  EXPECT_THAT(bad.status().message(), HasSubstr("`SELECT * FROM missing_table`"));
  EXPECT_THAT(bad.status().message(), HasSubstr(path().string()));
}

TEST_F(SqliteDatabaseTest, PrepareRejectsSeveralStatements) {
  Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
  ASSERT_TRUE(txn.ok());
  Result<SqliteStatement> two = txn->Prepare("DELETE FROM t; DROP TABLE t");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(txn->Prepare("SELECT 1;  ").ok());  // a trailing semicolon is fine
}

TEST_F(SqliteDatabaseTest, TransactionRollsBackOnScopeExit) {
  {
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Exec("INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2)").ok());
  }
  EXPECT_EQ(CountRows(), 0);
  {
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Exec("INSERT INTO t (id) VALUES (1)").ok());
    txn->Rollback();
    EXPECT_EQ(txn->Commit().code(), ErrorCode::kFailedPrecondition);
  }
  EXPECT_EQ(CountRows(), 0);
  {
    Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Exec("INSERT INTO t (id) VALUES (1)").ok());
    ASSERT_TRUE(txn->Commit().ok());
    EXPECT_EQ(txn->Commit().code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(txn->Exec("DELETE FROM t").code(), ErrorCode::kFailedPrecondition);
  }
  EXPECT_EQ(CountRows(), 1);
}

TEST_F(SqliteDatabaseTest, MovedTransactionKeepsTheLockAndCommitsOnce) {
  Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
  ASSERT_TRUE(txn.ok());
  SqliteTransaction moved = std::move(txn).value();
  ASSERT_TRUE(moved.Exec("INSERT INTO t (id) VALUES (9)").ok());
  ASSERT_TRUE(moved.Commit().ok());
  EXPECT_EQ(CountRows(), 1);
}

TEST_F(SqliteDatabaseTest, DuplicateKeyIsAlreadyExists) {
  Result<SqliteTransaction> txn = db_->Begin(TransactionMode::kWrite);
  ASSERT_TRUE(txn.ok());
  Status s = txn->Exec("INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (1)");
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("UNIQUE constraint failed: t.id"));
}

TEST_F(SqliteDatabaseTest, WriterHeldElsewhereGivesRetriableUnavailable) {
  Result<std::unique_ptr<SqliteDatabase>> other =
      SqliteDatabase::Open(path(), {.busy_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Result<SqliteTransaction> holder = db_->Begin(TransactionMode::kWrite);
  ASSERT_TRUE(holder.ok());

  Result<SqliteTransaction> blocked = (*other)->Begin(TransactionMode::kWrite);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(blocked.status().retriable());
  EXPECT_THAT(blocked.status().message(), HasSubstr("BEGIN IMMEDIATE"));
  EXPECT_THAT(blocked.status().message(), HasSubstr(path().string()));

  // Readers are not blocked by a writer in WAL mode.
  Result<SqliteTransaction> reader = (*other)->Begin(TransactionMode::kRead);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(reader->Prepare("SELECT COUNT(*) FROM t")->Step().ok());
  reader->Rollback();

  holder->Rollback();
  Result<SqliteTransaction> now_free = (*other)->Begin(TransactionMode::kWrite);
  EXPECT_TRUE(now_free.ok()) << now_free.status().ToString();
}

TEST_F(SqliteDatabaseTest, PingSucceeds) { EXPECT_TRUE(db_->Ping().ok()); }

TEST(SqliteErrorTest, MapsResultCodes) {
  EXPECT_EQ(SqliteErrorCode(SQLITE_BUSY), ErrorCode::kUnavailable);
  EXPECT_EQ(SqliteErrorCode(SQLITE_BUSY_SNAPSHOT), ErrorCode::kUnavailable);
  EXPECT_EQ(SqliteErrorCode(SQLITE_LOCKED), ErrorCode::kUnavailable);
  EXPECT_EQ(SqliteErrorCode(SQLITE_CONSTRAINT_UNIQUE), ErrorCode::kAlreadyExists);
  EXPECT_EQ(SqliteErrorCode(SQLITE_CONSTRAINT_FOREIGNKEY), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(SqliteErrorCode(SQLITE_FULL), ErrorCode::kResourceExhausted);
  EXPECT_EQ(SqliteErrorCode(SQLITE_READONLY), ErrorCode::kPermissionDenied);
  EXPECT_EQ(SqliteErrorCode(SQLITE_CORRUPT), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(SqliteErrorCode(SQLITE_ERROR), ErrorCode::kInternal);
}

TEST(SqliteErrorTest, QuoteSqlCollapsesWhitespaceAndTruncates) {
  EXPECT_EQ(QuoteSql("  SELECT\n\t1  "), "`SELECT 1`");
  std::string long_sql = "SELECT " + std::string(200, 'x');
  std::string quoted = QuoteSql(long_sql);
  EXPECT_LT(quoted.size(), 90u);
  EXPECT_THAT(quoted, HasSubstr("...`"));
}

}  // namespace
}  // namespace novacron::store
