// Runs a child in its own process group with a deadline (see child_process.h).
#include "vm/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

extern char** environ;

namespace novacron::vm {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Closes the file descriptors it holds on every exit path.
class Fds {
 public:
  ~Fds() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int& operator[](size_t i) { return fds_[i]; }
  void Close(size_t i) {
    if (fds_[i] >= 0) close(fds_[i]);
    fds_[i] = -1;
  }

 private:
  int fds_[4] = {-1, -1, -1, -1};  // out read, out write, err read, err write
};

// Owns the spawn attributes and file actions.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr_);
    posix_spawn_file_actions_destroy(&actions_);
  }
  posix_spawnattr_t* attr() { return &attr_; }
  posix_spawn_file_actions_t* actions() { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

// Reads both pipes until the child closed them or `deadline` passed; false on the deadline.
// Polling keeps a chatty child from blocking on one pipe while we wait on the other.
bool DrainPipes(int out_fd, int err_fd, std::string& out, std::string& err,
                Clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    int ready = poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count() + 1, 1'000'000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return true;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_fds;
      }
    }
  }
  return true;
}

// Waits for `pid` until `deadline`; false when it is still running then.
bool WaitUntil(pid_t pid, int& status, Clock::time_point deadline) {
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return true;
    if (done < 0 && errno != EINTR) return true;  // ECHILD: nothing left to wait for
    if (Clock::now() >= deadline) return false;
    usleep(10'000);  // the pipes are closed: the child is exiting
  }
}

std::string Seconds(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

}  // namespace

Result<ProgramOutput> RunProgram(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout) {
  if (argv.empty()) return InvalidArgument("run program: empty argument vector");
  const Clock::time_point deadline = Clock::now() + timeout;
  Fds fds;
  int out_pipe[2];
  int err_pipe[2];
  // O_CLOEXEC keeps these pipes out of programs other threads spawn at the same time.
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Internal("pipe: " + ErrnoText(errno));
  fds[0] = out_pipe[0];
  fds[1] = out_pipe[1];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return Internal("pipe: " + ErrnoText(errno));
  fds[2] = err_pipe[0];
  fds[3] = err_pipe[1];

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(setup.actions(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(setup.actions(), fds[1], 1);
  posix_spawn_file_actions_adddup2(setup.actions(), fds[3], 2);
  // Its own process group, so a timeout kills whatever it forked too; and the default signal
  // mask, since the daemon's threads block the signals its signal thread waits for.
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGHUP);
  posix_spawnattr_setpgroup(setup.attr(), 0);
  posix_spawnattr_setsigmask(setup.attr(), &empty);
  posix_spawnattr_setsigdefault(setup.attr(), &defaults);
  posix_spawnattr_setflags(setup.attr(),
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], setup.actions(), setup.attr(), args.data(), environ);
  if (rc != 0) return Unavailable("cannot run " + argv[0] + ": " + ErrnoText(rc));
  fds.Close(1);
  fds.Close(3);

  ProgramOutput result;
  int status = 0;
  bool finished = DrainPipes(fds[0], fds[2], result.out, result.err, deadline) &&
                  WaitUntil(pid, status, deadline);
  if (!finished) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return DeadlineExceeded(argv[0] + " timed out after " + Seconds(timeout) + " and was killed");
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -WTERMSIG(status);
  }
  // posix_spawnp reports a missing binary through the child's exit code 127.
  if (result.exit_code == 127 && result.err.empty()) {
    return Unavailable("cannot run " + argv[0] + ": not found or not executable");
  }
  return result;
}

}  // namespace novacron::vm
