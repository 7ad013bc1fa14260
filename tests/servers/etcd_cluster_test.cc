#include "servers/etcd_cluster.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace novacron::testing {
namespace {

constexpr char kEtcdctl[] = "/usr/bin/etcdctl";

#define SKIP_WITHOUT_ETCD()                                                             \
  do {                                                                                  \
    if (std::string why = EtcdCluster::SkipReason(); !why.empty()) GTEST_SKIP() << why; \
    if (::access(kEtcdctl, X_OK) != 0) {                                                \
      GTEST_SKIP() << kEtcdctl << " not found (Debian package etcd-client)";            \
    }                                                                                   \
  } while (0)

struct Command {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ",") + part;
  return out;
}

// `etcdctl --endpoints <endpoints> <args...>` (API v3, no shell).
Command Etcdctl(const std::vector<std::string>& endpoints, const std::vector<std::string>& args) {
  std::vector<std::string> all = {
      kEtcdctl, "--endpoints", Join(endpoints), "--dial-timeout", "2s", "--command-timeout", "5s"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (const std::string& arg : all) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** var = environ; *var != nullptr; ++var) {
    if (std::strncmp(*var, "ETCDCTL_", 8) != 0) envp.push_back(*var);
  }
  char api[] = "ETCDCTL_API=3";
  envp.push_back(api);
  envp.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return {-1, std::string("pipe: ") + std::strerror(errno)};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return {-1, std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  Command result;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(pipe_fds[0], buffer, sizeof(buffer))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) result.output.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

// Polls Leader() until it names a member other than `old`, for up to `timeout`.
int WaitForNewLeader(const EtcdCluster& cluster, int old, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const int leader = cluster.Leader();
    if (leader >= 0 && leader != old) return leader;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

TEST(EtcdClusterTest, OneMemberRoundTripsAValueAndCleansUp) {
  SKIP_WITHOUT_ETCD();
  std::filesystem::path dir;
  {
    EtcdCluster cluster;
    Status started = cluster.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    dir = cluster.dir();
    ASSERT_EQ(cluster.Endpoints().size(), 1u);
    EXPECT_TRUE(std::regex_match(cluster.Endpoint(0), std::regex(R"(127\.0\.0\.1:\d+)")))
        << cluster.Endpoint(0);
    EXPECT_EQ(cluster.Endpoints()[0], cluster.Endpoint(0));
    EXPECT_TRUE(cluster.running(0));
    EXPECT_EQ(cluster.Leader(), 0);
    EXPECT_EQ(cluster.Start().code(), ErrorCode::kFailedPrecondition);

    Command put = Etcdctl(cluster.Endpoints(), {"put", "/novacron/harness", "round trip"});
    ASSERT_EQ(put.exit_code, 0) << put.output;
    EXPECT_EQ(put.output, "OK\n");
    Command get = Etcdctl(cluster.Endpoints(), {"get", "/novacron/harness", "--print-value-only"});
    ASSERT_EQ(get.exit_code, 0) << get.output;
    EXPECT_EQ(get.output, "round trip\n");
    EXPECT_TRUE(std::filesystem::exists(cluster.LogFile(0)));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(EtcdClusterTest, ThreeMembersElectANewLeaderAfterTheLeaderIsKilled) {
  SKIP_WITHOUT_ETCD();
  EtcdCluster cluster({.members = 3});
  Status started = cluster.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_EQ(cluster.Endpoints().size(), 3u);
  const int old_leader = cluster.Leader();
  ASSERT_GE(old_leader, 0);
  ASSERT_LT(old_leader, 3);
  Command put = Etcdctl(cluster.Endpoints(), {"put", "before", "1"});
  ASSERT_EQ(put.exit_code, 0) << put.output;

  cluster.Kill(old_leader);
  EXPECT_FALSE(cluster.running(old_leader));
  const auto killed_at = std::chrono::steady_clock::now();
  const int new_leader = WaitForNewLeader(cluster, old_leader, std::chrono::seconds(10));
  ASSERT_GE(new_leader, 0) << "no new leader within 10 s";
  EXPECT_NE(new_leader, old_leader);
  EXPECT_TRUE(cluster.running(new_leader));
  std::cerr << "new leader m" << new_leader << " after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - killed_at)
                   .count()
            << " ms\n";

  std::vector<std::string> remaining;
  for (int i = 0; i < 3; ++i) {
    if (i != old_leader) remaining.push_back(cluster.Endpoint(i));
  }
  put = Etcdctl(remaining, {"put", "after", "2"});
  ASSERT_EQ(put.exit_code, 0) << put.output;

  Status restarted = cluster.Restart(old_leader);
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  EXPECT_TRUE(cluster.running(old_leader));
  const int leader = cluster.Leader();
  EXPECT_GE(leader, 0);
  // The restarted member caught up: a linearizable read through it alone sees both writes.
  Command get = Etcdctl({cluster.Endpoint(old_leader)}, {"get", "after", "--print-value-only"});
  ASSERT_EQ(get.exit_code, 0) << get.output;
  EXPECT_EQ(get.output, "2\n");
  Command health = Etcdctl(cluster.Endpoints(), {"endpoint", "health"});
  EXPECT_EQ(health.exit_code, 0) << health.output;
}

TEST(EtcdClusterTest, PausedMemberStallsButTheOthersServe) {
  SKIP_WITHOUT_ETCD();
  EtcdCluster cluster({.members = 3});
  Status started = cluster.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  const int leader = cluster.Leader();
  ASSERT_GE(leader, 0);
  const int follower = (leader + 1) % 3;
  cluster.Pause(follower);
  EXPECT_TRUE(cluster.running(follower));
  EXPECT_EQ(cluster.Leader(), leader);  // the paused member is not asked
  Command stalled = Etcdctl({cluster.Endpoint(follower)},
                            {"get", "k", "--dial-timeout=1s", "--command-timeout=1s"});
  EXPECT_NE(stalled.exit_code, 0) << stalled.output;
  Command put = Etcdctl({cluster.Endpoint(leader)}, {"put", "k", "while paused"});
  ASSERT_EQ(put.exit_code, 0) << put.output;

  cluster.Resume(follower);
  Command get = Etcdctl({cluster.Endpoint(follower)}, {"get", "k", "--print-value-only"});
  ASSERT_EQ(get.exit_code, 0) << get.output;
  EXPECT_EQ(get.output, "while paused\n");
}

}  // namespace
}  // namespace novacron::testing
