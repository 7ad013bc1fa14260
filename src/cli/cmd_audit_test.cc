// `novacron audit verify|tail` through the built binary, on logs written by the real AuditLog.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "security/audit_log.h"
#include "support/process.h"

namespace novacron::testing {
namespace {

using security::AuditEvent;
using security::AuditLog;
using ::testing::HasSubstr;
using ::testing::Not;

AuditEvent Event(int i) {
  return {.actor = "ci",
          .role = "operator",
          .action = "vm.create",
          .target = "vms/web" + std::to_string(i),
          .result = "ok",
          .http_status = 201};
}

void Append(const std::filesystem::path& dir, int from, int to) {
  auto log = AuditLog::Open({.dir = dir});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (int i = from; i <= to; ++i) ASSERT_TRUE((*log)->Append(Event(i)).ok());
}

std::vector<std::string> Lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(CliAuditTest, VerifyOkThenNamesTheEditedLine) {
  TempDir dir;
  Append(dir.path(), 1, 5);
  CommandResult ok = RunNovacron({"audit", "verify", "--data-dir", dir.path().string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("ok: 5 entries (seq 1..5) in 1 file"));

  auto path = dir.path() / "audit.log";
  auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 5u);
  lines[1].replace(lines[1].find("web2"), 4, "web9");
  std::ofstream(path, std::ios::trunc) << lines[0] << "\n"
                                       << lines[1] << "\n"
                                       << lines[2] << "\n"
                                       << lines[3] << "\n"
                                       << lines[4] << "\n";
  CommandResult bad = RunNovacron({"audit", "verify", "--data-dir", dir.path().string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr(path.string() + ":2: edited:"));

  CommandResult json =
      RunNovacron({"audit", "verify", "--json", "--data-dir", dir.path().string()});
  EXPECT_EQ(json.exit_code, 1);
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << json.out;
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["line"], 2);
  EXPECT_EQ(j["kind"], "edited");
}

TEST(CliAuditTest, VerifyWithoutALogSaysWhereItLooked) {
  TempDir dir;
  CommandResult r = RunNovacron({"audit", "verify", "--data-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir.path().string()));
}

TEST(CliAuditTest, TailPrintsTheNewestEntriesOldestFirst) {
  TempDir dir;
  Append(dir.path(), 1, 5);
  CommandResult r = RunNovacron({"audit", "tail", "-n", "2", "--data-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("#3 ")));
  auto four = r.out.find("#4  ci(operator)  vm.create vms/web4  ok 201");
  auto five = r.out.find("#5  ci(operator)  vm.create vms/web5  ok 201");
  EXPECT_NE(four, std::string::npos) << r.out;
  EXPECT_NE(five, std::string::npos) << r.out;
  EXPECT_LT(four, five);

  r = RunNovacron({"audit", "tail", "--json", "-n", "1", "--data-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["seq"], 5);
}

// Reads the child's stdout until it contains `needle` (a bound, not a measurement).
bool ReadUntil(int fd, std::string& out, const std::string& needle) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (out.find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    out.append(buf, static_cast<size_t>(n));
  }
  return true;
}

TEST(CliAuditTest, TailFollowPrintsNewEntriesAcrossRotationAndStopsOnSigterm) {
  TempDir dir;
  Append(dir.path(), 1, 2);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::string bin = NovacronBinary(), data = dir.path().string();
    ::execl(bin.c_str(), bin.c_str(), "audit", "tail", "-f", "-n", "1", "--data-dir", data.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string out;
  EXPECT_TRUE(ReadUntil(pipe_fds[0], out, "vms/web2")) << out;
  {
    // Small files: the follower must move to the new audit.log after rotations.
    auto log = AuditLog::Open({.dir = dir.path(), .rotate_bytes = 4096});
    ASSERT_TRUE(log.ok());
    for (int i = 3; i <= 40; ++i) ASSERT_TRUE((*log)->Append(Event(i)).ok());
  }
  EXPECT_TRUE(ReadUntil(pipe_fds[0], out, "vms/web40 ")) << out;
  for (int i = 3; i <= 40; ++i) {
    EXPECT_THAT(out, HasSubstr("vms/web" + std::to_string(i) + " ")) << "entry " << i;
  }
  EXPECT_THAT(out, Not(HasSubstr("vms/web1 ")));
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(pipe_fds[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace novacron::testing
