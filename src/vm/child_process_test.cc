// Child processes with real programs: output, exit codes, no shell, and the timeout that kills
// the whole process group.
#include "vm/child_process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

#include "vm/libvirt_test_support.h"

namespace novacron::vm {
namespace {

using ::testing::HasSubstr;

TEST(RunProgramTest, CapturesOutputAndExitCode) {
  Result<ProgramOutput> run = RunProgram({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(run->out, "out\n");
  EXPECT_EQ(run->err, "err\n");
}

TEST(RunProgramTest, ArgumentsAreNotInterpretedByAShell) {
  Result<ProgramOutput> run = RunProgram({"echo", "$(id)", ";", "&&", "`x`"});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->out, "$(id) ; && `x`\n");
}

TEST(RunProgramTest, MissingBinaryIsUnavailable) {
  Result<ProgramOutput> run = RunProgram({"/nonexistent/novacron-no-such-binary"});
  EXPECT_EQ(run.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(run.status().message(), HasSubstr("novacron-no-such-binary"));
}

// A child that hangs, and a grandchild it forked that hangs too: both are killed at the
// deadline, and the call says what timed out.
TEST(RunProgramTest, HungChildAndItsChildrenAreKilledAtTheDeadline) {
  testing::TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  std::string pid_file = tmp.path() + "/grandchild.pid";
  Result<ProgramOutput> run =
      RunProgram({"sh", "-c", "sleep 300 & echo $! > '" + pid_file + "'; sleep 300"},
                 std::chrono::milliseconds(300));
  EXPECT_EQ(run.status().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(run.status().message(), HasSubstr("sh timed out after 300ms and was killed"));
  std::ifstream in(pid_file);
  pid_t grandchild = 0;
  ASSERT_TRUE(in >> grandchild) << "the child wrote no pid";
  // Killed with its group; it may linger as a zombie until init reaps it, never as a sleeper.
  std::string state;
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::string pid, comm;
    if (!(stat >> pid >> comm >> state) || state == "Z") break;
    usleep(10'000);
  }
  EXPECT_TRUE(state.empty() || state == "Z") << "grandchild " << grandchild << " is " << state;
}

TEST(RunProgramTest, AChildFinishingBeforeTheDeadlineIsNotKilled) {
  Result<ProgramOutput> run = RunProgram({"sh", "-c", "exit 0"}, std::chrono::seconds(30));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 0);
}

}  // namespace
}  // namespace novacron::vm
