// AuditLog: the round trip through verify, file modes, the chain across reopen and rotation,
// retention, concurrent appends, two writers on one dir, bad events.
#include "security/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "security/audit_test_util.h"
#include "security/audit_verify.h"

namespace novacron::security {
namespace {

namespace fs = std::filesystem;
using testing::Event;
using testing::Lines;
using testing::TempDir;

AuditVerifyResult VerifyOk(const fs::path& dir) {
  auto r = VerifyAuditLog(dir);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_TRUE(r->ok) << FormatAuditVerifyResult(*r);
  return *r;
}

mode_t Mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST(AuditLogTest, AppendThenVerifyRoundTrip) {
  TempDir dir;
  auto log = AuditLog::Open({.dir = dir.path()});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  AuditEvent denied{.actor = "anonymous",
                    .action = "auth.failure",
                    .target = "/api/v1/vms",
                    .result = "denied",
                    .http_status = 401,
                    .remote = "10.0.0.9:4242",
                    .detail = "malformed token"};
  ASSERT_TRUE((*log)->Append(Event(1)).ok());
  ASSERT_TRUE((*log)->Append(denied).ok());
  ASSERT_TRUE(
      (*log)->Append({.actor = "system", .action = "daemon.shutdown", .result = "ok"}).ok());

  auto lines = Lines(dir.path() / kAuditLogName);
  ASSERT_EQ(lines.size(), 3u);
  auto second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(second["seq"], 2);
  EXPECT_EQ(second["actor"], "anonymous");
  EXPECT_EQ(second["action"], "auth.failure");
  EXPECT_EQ(second["result"], "denied");
  EXPECT_EQ(second["status"], 401);
  EXPECT_EQ(second["remote"], "10.0.0.9:4242");
  EXPECT_EQ(second["detail"], "malformed token");
  EXPECT_EQ(second["prev"], Sha256Hex(lines[0]));
  EXPECT_EQ(nlohmann::json::parse(lines[0])["prev"], std::string(kAuditGenesisHash));

  auto r = VerifyOk(dir.path());
  EXPECT_EQ(r.entries, 3);
  EXPECT_EQ(r.files, 1);
  EXPECT_EQ(r.first_seq, 1);
  EXPECT_EQ(r.last_seq, 3);
  EXPECT_TRUE(r.notes.empty());
  EXPECT_EQ(FormatAuditVerifyResult(r), "ok: 3 entries (seq 1..3) in 1 file\n");
}

TEST(AuditLogTest, FilesAre0600EvenWithAPermissiveUmask) {
  TempDir dir;
  mode_t old = ::umask(0);
  testing::AppendEvents(dir.path(), 2);
  ::umask(old);
  EXPECT_EQ(Mode(dir.path() / kAuditLogName), 0600u);
  EXPECT_EQ(Mode(dir.path() / kAuditHeadName), 0600u);
  EXPECT_EQ(Mode(dir.path() / kAuditLockName), 0600u);
}

TEST(AuditLogTest, ExistingWiderLogIsTightenedTo0600) {
  TempDir dir;
  testing::AppendEvents(dir.path(), 1);
  fs::permissions(dir.path() / kAuditLogName, fs::perms(0644));
  testing::AppendEvents(dir.path(), 1);
  EXPECT_EQ(Mode(dir.path() / kAuditLogName), 0600u);
}

TEST(AuditLogTest, ReopenContinuesTheChain) {
  TempDir dir;
  testing::AppendEvents(dir.path(), 3);
  testing::AppendEvents(dir.path(), 2);
  auto lines = Lines(dir.path() / kAuditLogName);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(nlohmann::json::parse(lines[3])["seq"], 4);
  EXPECT_EQ(nlohmann::json::parse(lines[3])["prev"], Sha256Hex(lines[2]));
  EXPECT_EQ(VerifyOk(dir.path()).entries, 5);
}

TEST(AuditLogTest, InvalidEventIsRefusedNamingTheField) {
  TempDir dir;
  auto log = AuditLog::Open({.dir = dir.path()});
  ASSERT_TRUE(log.ok());
  Status s = (*log)->Append({.actor = "ci", .action = "vm.create", .result = "maybe"});
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("result"), std::string::npos) << s.message();
  s = (*log)->Append({.action = "vm.create", .result = "ok"});
  EXPECT_NE(s.message().find("actor"), std::string::npos) << s.message();
  EXPECT_TRUE(Lines(dir.path() / kAuditLogName).empty());
}

TEST(AuditLogTest, HostileFieldsStayOneBoundedLine) {
  TempDir dir;
  auto log = AuditLog::Open({.dir = dir.path()});
  ASSERT_TRUE(log.ok());
  AuditEvent e = Event(1);
  e.target = "/api/v1/vms/\n{\"seq\":99}\xff\xfe";  // newline, fake JSON, invalid UTF-8
  e.detail = std::string(100000, 'x');
  ASSERT_TRUE((*log)->Append(e).ok());
  auto lines = Lines(dir.path() / kAuditLogName);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_LT(lines[0].size(), 2 * kAuditMaxFieldBytes);
  auto parsed = ParseAuditEntry(lines[0]);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->seq, 1);
  EXPECT_EQ(FormatAuditEntry(*parsed).find('\n'), std::string::npos);
  VerifyOk(dir.path());
}

TEST(AuditLogTest, OpenRefusesAMissingDirNamingIt) {
  auto log = AuditLog::Open({.dir = "/nonexistent/novacron-audit"});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("/nonexistent/novacron-audit"), std::string::npos);
}

TEST(AuditLogTest, RotationKeepsTheChainAcrossFiles) {
  TempDir dir;
  testing::AppendEvents(dir.path(), 60, /*rotate_bytes=*/4096);
  auto files = ListAuditFiles(dir.path());
  ASSERT_TRUE(files.ok());
  ASSERT_GE(files->size(), 3u) << "60 entries of ~300 bytes should rotate 4 KiB files";
  EXPECT_EQ(files->back().filename(), kAuditLogName);
  for (const auto& f : *files) EXPECT_EQ(Mode(f), 0600u) << f;
  // The first entry of a new file chains to the last entry of the one before.
  auto older = Lines((*files)[0]);
  auto newer = Lines((*files)[1]);
  ASSERT_FALSE(older.empty());
  ASSERT_FALSE(newer.empty());
  EXPECT_EQ(nlohmann::json::parse(newer[0])["prev"], Sha256Hex(older.back()));
  auto r = VerifyOk(dir.path());
  EXPECT_EQ(r.entries, 60);
  EXPECT_EQ(r.files, static_cast<int>(files->size()));

  // An entry removed from a rotated file is found there.
  auto lines = Lines((*files)[1]);
  lines.erase(lines.begin() + 1);
  testing::WriteLines((*files)[1], lines);
  auto bad = VerifyAuditLog(dir.path());
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->ok);
  EXPECT_EQ(bad->kind, "removed");
  EXPECT_EQ(bad->file, (*files)[1]);
  EXPECT_EQ(bad->line, 2);
}

TEST(AuditLogTest, RemovedRotatedFileInTheMiddleIsSeen) {
  TempDir dir;
  testing::AppendEvents(dir.path(), 60, 4096);
  auto files = ListAuditFiles(dir.path());
  ASSERT_TRUE(files.ok());
  ASSERT_GE(files->size(), 3u);
  fs::remove((*files)[1]);
  auto r = VerifyAuditLog(dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->kind, "removed");
  EXPECT_EQ(r->file, (*files)[2]);
  EXPECT_EQ(r->line, 1);
}

TEST(AuditLogTest, RetentionDeletesOnlyExpiredRotatedFiles) {
  TempDir dir;
  const auto now = std::chrono::system_clock::now();
  const auto old = now - std::chrono::hours(48);
  {
    auto log = AuditLog::Open(
        {.dir = dir.path(), .rotate_bytes = 4096, .retention = std::chrono::hours(24)});
    ASSERT_TRUE(log.ok());
    // Old entries fill (and rotate) a few files, then recent ones.
    for (int i = 0; i < 30; ++i) {
      AuditEvent e = Event(i);
      e.time = old;
      ASSERT_TRUE((*log)->Append(e).ok());
    }
    for (int i = 0; i < 30; ++i) ASSERT_TRUE((*log)->Append(Event(100 + i)).ok());
  }
  auto files = ListAuditFiles(dir.path());
  ASSERT_TRUE(files.ok());
  // Every rotated file left has a recent newest entry; nothing old but what shares a file
  // with recent entries.
  ASSERT_GE(files->size(), 2u);
  int64_t oldest_kept_seq = 0;
  for (size_t i = 0; i + 1 < files->size(); ++i) {
    auto tail = ReadLastAuditLine((*files)[i]);
    ASSERT_TRUE(tail.ok() && tail->has_value());
    auto e = ParseAuditEntry((*tail)->line);
    ASSERT_TRUE(e.ok());
    EXPECT_GT(e->event.time, now - std::chrono::hours(1)) << (*files)[i];
  }
  auto first = Lines((*files)[0]);
  ASSERT_FALSE(first.empty());
  oldest_kept_seq = nlohmann::json::parse(first[0])["seq"];
  EXPECT_GT(oldest_kept_seq, 1) << "the files of only-old entries were deleted";
  EXPECT_LE(oldest_kept_seq, 31) << "no file with a recent entry was deleted";

  auto r = VerifyOk(dir.path());
  EXPECT_EQ(r.first_seq, oldest_kept_seq);
  EXPECT_EQ(r.last_seq, 60);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("retention"), std::string::npos) << r.notes[0];

  // Deleting the oldest remaining file by hand is not retention: the head says so.
  fs::remove((*files)[0]);
  auto bad = VerifyAuditLog(dir.path());
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->ok);
  EXPECT_EQ(bad->kind, "removed");
}

TEST(AuditLogTest, ConcurrentAppendsKeepOneChain) {
  TempDir dir;
  auto log = AuditLog::Open({.dir = dir.path(), .rotate_bytes = 16384});
  ASSERT_TRUE(log.ok());
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!(*log)->Append(Event(i, "thread" + std::to_string(t))).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto r = VerifyOk(dir.path());
  EXPECT_EQ(r.entries, kThreads * kEach);
  EXPECT_EQ(r.last_seq, kThreads * kEach);
}

// Two writers on one dir, as the daemon and an offline `novacron token create` would be.
TEST(AuditLogTest, TwoWritersOnOneDirInterleave) {
  TempDir dir;
  auto a = AuditLog::Open({.dir = dir.path(), .rotate_bytes = 4096});
  auto b = AuditLog::Open({.dir = dir.path(), .rotate_bytes = 4096});
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE((i % 3 == 0 ? *b : *a)->Append(Event(i)).ok());
  }
  auto r = VerifyOk(dir.path());
  EXPECT_EQ(r.entries, 40);
  EXPECT_GE(r.files, 2);
}

TEST(AuditLogTest, AppendFailureIsAnErrorNamingTheFile) {
  TempDir dir;
  auto log = AuditLog::Open({.dir = dir.path()});
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Append(Event(1)).ok());
  // A directory where audit.head's temp file goes: the head cannot be written (even as root).
  const fs::path blocker = dir.path() / (std::string(kAuditHeadName) + ".tmp");
  fs::create_directory(blocker);
  Status s = (*log)->Append(Event(2));
  fs::remove(blocker);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find(blocker.string()), std::string::npos) << s.ToString();
  EXPECT_EQ(Lines(dir.path() / kAuditLogName).size(), 1u) << "nothing half-recorded";
  ASSERT_TRUE((*log)->Append(Event(3)).ok());
  EXPECT_EQ(VerifyOk(dir.path()).entries, 2);
}

}  // namespace
}  // namespace novacron::security
