// A process killed in the middle of writing boot records leaves a consistent database: every
// acknowledged write is there, nothing half-written is, and the next boot can mark the dead one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "store/sqlite_database.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::store {
namespace {

using std::chrono::microseconds;

// Child side: report progress to the parent through a pipe. Exits the child on failure.
void Report(int fd, int64_t value) {
  if (write(fd, &value, sizeof(value)) != static_cast<ssize_t>(sizeof(value))) _exit(3);
}

// Parent side: the next progress value, or nullopt when the child is gone.
std::optional<int64_t> NextReport(int fd) {
  int64_t value = 0;
  size_t got = 0;
  while (got < sizeof(value)) {
    ssize_t n = read(fd, reinterpret_cast<char*>(&value) + got, sizeof(value) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    got += static_cast<size_t>(n);
  }
  return value;
}

// Forks a child running `body(write_fd)`; the child never returns to the test.
pid_t ForkChild(int pipe_fds[2], void (*body)(int, const std::filesystem::path&),
                const std::filesystem::path& data_dir) {
  pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    body(pipe_fds[1], data_dir);
    _exit(0);
  }
  close(pipe_fds[1]);
  return pid;
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended by itself, status " << status;
}

// The problems SQLite's own checks find, or "" for a sound database.
std::string IntegrityCheck(const std::filesystem::path& db_path) {
  Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(db_path);
  if (!db.ok()) return db.status().ToString();
  Result<SqliteTransaction> txn = (*db)->Begin(TransactionMode::kRead);
  if (!txn.ok()) return txn.status().ToString();
  std::string result;
  for (const char* sql : {"PRAGMA integrity_check", "PRAGMA foreign_key_check"}) {
    Result<SqliteStatement> check = txn->Prepare(sql);
    if (!check.ok()) return check.status().ToString();
    while (true) {
      Result<bool> row = check->Step();
      if (!row.ok()) return row.status().ToString();
      if (!*row) break;
      if (check->Text(0) != "ok") result += std::string(sql) + ": " + check->Text(0) + "\n";
    }
  }
  return result;
}

// Child: begins a boot and records components and checkpoints forever, reporting each one
// after its call returned (that is, after it is durable).
void WriteBootRecordsForever(int fd, const std::filesystem::path& data_dir) {
  Result<std::unique_ptr<StateStore>> store = OpenSqliteStateStore({.data_dir = data_dir});
  if (!store.ok()) _exit(2);
  BootStore& boots = (*store)->boots();
  Result<int64_t> id = boots.BeginBoot(
      {.node_id = "node-a", .pid = getpid(), .version = "0.1.0", .strategy = "eager"});
  if (!id.ok()) _exit(2);
  Report(fd, *id);
  for (int64_t i = 0;; ++i) {
    ComponentRecord c{.name = "component-" + std::to_string(i),
                      .phase = "core",
                      .criticality = "critical",
                      .dependencies = {"config"},
                      .state = "starting",
                      .attempts = 1,
                      .start_offset = microseconds(i * 10)};
    if (!boots.RecordComponent(*id, c).ok()) _exit(2);
    if (!boots.RecordCheckpoint(*id, "cp-" + std::to_string(i), microseconds(i * 10)).ok()) {
      _exit(2);
    }
    c.state = "started";
    c.end_offset = microseconds(i * 10 + 5);
    if (!boots.RecordComponent(*id, c).ok()) _exit(2);
    Report(fd, i);
  }
}

TEST(CrashSafetyTest, KilledWhileWritingBootRecords) {
  testing::TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = ForkChild(fds, WriteBootRecordsForever, dir.path());
  std::optional<int64_t> boot_id = NextReport(fds[0]);
  ASSERT_TRUE(boot_id.has_value()) << "child failed before its first boot record";
  constexpr int64_t kAcknowledged = 5;
  int64_t last_acknowledged = -1;
  while (last_acknowledged + 1 < kAcknowledged) {
    std::optional<int64_t> i = NextReport(fds[0]);
    ASSERT_TRUE(i.has_value()) << "child stopped writing after component " << last_acknowledged;
    last_acknowledged = *i;
  }
  // The child keeps writing: the kill lands at an arbitrary point, often inside a transaction.
  KillAndReap(child);
  close(fds[0]);

  EXPECT_EQ(IntegrityCheck(dir.path() / kSqliteFileName), "");
  Result<std::unique_ptr<StateStore>> store = OpenSqliteStateStore({.data_dir = dir.path()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  BootStore& boots = (*store)->boots();
  Result<BootRecord> dead = boots.GetBoot(*boot_id);
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  EXPECT_EQ(dead->state, BootState::kInProgress);
  ASSERT_GE(dead->components.size(), static_cast<size_t>(kAcknowledged));
  ASSERT_GE(dead->checkpoints.size(), static_cast<size_t>(kAcknowledged));
  for (size_t i = 0; i < dead->components.size(); ++i) {
    const ComponentRecord& c = dead->components[i];
    EXPECT_EQ(c.name, "component-" + std::to_string(i));  // in start order, no holes
    EXPECT_EQ(c.dependencies, std::vector<std::string>{"config"});
    if (static_cast<int64_t>(i) <= last_acknowledged) {
      EXPECT_EQ(c.state, "started");
    }
    // Every record is one of the two complete versions, never a mix.
    if (c.state == "started") {
      EXPECT_EQ(c.end_offset, microseconds(static_cast<int64_t>(i) * 10 + 5));
    } else {
      EXPECT_EQ(c.state, "starting");
      EXPECT_EQ(c.end_offset, std::nullopt);
    }
  }

  Result<int64_t> next = boots.BeginBoot({.node_id = "node-a", .pid = getpid()});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  Result<int> marked = boots.MarkInterrupted(*next);
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(*marked, 1);
  Result<BootRecord> interrupted = boots.GetBoot(*boot_id);
  ASSERT_TRUE(interrupted.ok());
  EXPECT_EQ(interrupted->state, BootState::kInterrupted);
  EXPECT_EQ(interrupted->components.size(), dead->components.size());
}

// Child: opens a write transaction, inserts a boot, reports, then waits to be killed.
void HoldUncommittedWrite(int fd, const std::filesystem::path& data_dir) {
  Result<std::unique_ptr<SqliteDatabase>> db = SqliteDatabase::Open(data_dir / kSqliteFileName);
  if (!db.ok()) _exit(2);
  Result<SqliteTransaction> txn = (*db)->Begin(TransactionMode::kWrite);
  if (!txn.ok()) _exit(2);
  Status s = txn->Exec(
      "INSERT INTO boots (id, node_id, pid, version, strategy, started_at, state, error) "
      "VALUES (1000, 'ghost', 1, '', '', 0, 'in_progress', '');"
      "INSERT INTO boot_checkpoints (boot_id, name, seq, offset_us) "
      "VALUES (1000, 'init_start', 1, 0)");
  if (!s.ok()) _exit(2);
  Report(fd, 1);
  while (true) pause();
}

TEST(CrashSafetyTest, KilledInsideATransactionLeavesNothingAndReleasesTheLock) {
  testing::TempDir dir;
  {
    // Create and migrate, then close: no connection may cross the fork.
    Result<std::unique_ptr<StateStore>> store = OpenSqliteStateStore({.data_dir = dir.path()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = ForkChild(fds, HoldUncommittedWrite, dir.path());
  ASSERT_TRUE(NextReport(fds[0]).has_value()) << "child failed to write";
  KillAndReap(child);
  close(fds[0]);

  EXPECT_EQ(IntegrityCheck(dir.path() / kSqliteFileName), "");
  Result<std::unique_ptr<StateStore>> store = OpenSqliteStateStore({.data_dir = dir.path()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->boots().GetBoot(1000).status().code(), ErrorCode::kNotFound);
  // The dead writer's lock is gone: writing works at once.
  Result<int64_t> id = (*store)->boots().BeginBoot({.node_id = "node-a", .pid = getpid()});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 1);
}

}  // namespace
}  // namespace novacron::store
