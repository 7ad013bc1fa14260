#include "observe/log_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace novacron::observe {
namespace {

struct Pipe {
  Pipe() { EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (fds[0] >= 0) close(fds[0]);
    fds[0] = -1;
  }
  void CloseWrite() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
  std::string ReadAll() {
    CloseWrite();
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  int fds[2] = {-1, -1};
};

bool SigpipePending() {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

bool SigpipeBlocked() {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE) == 1;
}

TEST(FdSinkTest, WritesLinesToAPipe) {
  Pipe p;
  {
    FdSink sink(p.fds[1]);
    EXPECT_FALSE(sink.IsTerminal());
    sink.Write("one\n");
    sink.Write("two\n");
    EXPECT_EQ(sink.dropped_lines(), 0u);
  }
  EXPECT_EQ(p.ReadAll(), "one\ntwo\n");
}

TEST(FdSinkTest, BrokenPipeDropsTheLineWithoutSigpipe) {
  // With the default SIGPIPE disposition, a raised SIGPIPE would end this test binary.
  Pipe p;
  p.CloseRead();
  FdSink sink(p.fds[1]);
  errno = 1234;
  sink.Write("nobody reads this\n");
  sink.Write("nor this\n");
  EXPECT_EQ(errno, 1234) << "the sink must not change errno";
  EXPECT_EQ(sink.dropped_lines(), 2u);
  EXPECT_FALSE(SigpipePending());
  EXPECT_FALSE(SigpipeBlocked()) << "the signal mask must be restored";
}

TEST(FdSinkTest, ClosedPeerSocketDropsTheLineWithoutSigpipe) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  close(fds[1]);
  FdSink sink(fds[0], /*owns_fd=*/true);
  sink.Write("gone\n");
  EXPECT_EQ(sink.dropped_lines(), 1u);
  EXPECT_FALSE(SigpipePending());
}

TEST(FdSinkTest, ClosedDescriptorDropsTheLine) {
  Pipe p;
  const int fd = p.fds[1];
  p.CloseWrite();
  FdSink sink(fd);
  sink.Write("into the void\n");
  EXPECT_EQ(sink.dropped_lines(), 1u);
  FdSink negative(-1);
  negative.Write("x\n");
  EXPECT_EQ(negative.dropped_lines(), 1u);
}

TEST(FdSinkTest, OwnedDescriptorIsClosed) {
  Pipe p;
  const int fd = p.fds[1];
  p.fds[1] = -1;  // handed over to the sink
  { FdSink sink(fd, /*owns_fd=*/true); }
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(FdSinkTest, PseudoTerminalIsATerminal) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    if (master >= 0) close(master);
    GTEST_SKIP() << "no pseudo-terminal available: " << strerror(errno);
  }
  const int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(slave, 0);
  {
    FdSink sink(slave);
    EXPECT_TRUE(sink.IsTerminal());
  }
  close(slave);
  close(master);
}

TEST(CallbackSinkTest, ForwardsLinesAndSwallowsExceptions) {
  std::string seen;
  CallbackSink sink([&](std::string_view line) {
    seen.append(line);
    if (line == "throw\n") throw std::runtime_error("sink failure");
  });
  sink.Write("a\n");
  sink.Write("throw\n");
  sink.Write("b\n");
  EXPECT_EQ(seen, "a\nthrow\nb\n");
}

TEST(CapturingSinkTest, KeepsLinesWithoutNewline) {
  CapturingSink sink;
  sink.Write("a\n");
  sink.Write("b\n");
  EXPECT_EQ(sink.Lines(), (std::vector<std::string>{"a", "b"}));
  sink.Clear();
  EXPECT_TRUE(sink.Lines().empty());
}

}  // namespace
}  // namespace novacron::observe
