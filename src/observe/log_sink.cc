#include "observe/log_sink.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <optional>

namespace novacron::observe {
namespace {

// Blocks SIGPIPE in the calling thread for the lifetime of the guard. If the write raised a
// SIGPIPE that was not pending before, it is consumed before the mask is restored, so a reader
// that went away costs an EPIPE and not the process.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    blocked_ = pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_) == 0;
    sigset_t pending;
    sigemptyset(&pending);
    if (blocked_ && sigpending(&pending) == 0) was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (!blocked_) return;
    if (got_epipe_ && !was_pending_) {
      const timespec zero{};
      while (sigtimedwait(&sigpipe_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

  void NoteEpipe() { got_epipe_ = true; }

 private:
  sigset_t sigpipe_;
  sigset_t old_mask_;
  bool blocked_ = false;
  bool was_pending_ = false;
  bool got_epipe_ = false;
};

}  // namespace

FdSink::FdSink(int fd, bool owns_fd)
    : fd_(fd), owns_fd_(owns_fd), is_terminal_(fd >= 0 && isatty(fd) == 1), kind_(Kind::kPlain) {
  struct stat st {};
  if (fd >= 0 && fstat(fd, &st) == 0) {
    if (S_ISFIFO(st.st_mode)) kind_ = Kind::kPipe;
    if (S_ISSOCK(st.st_mode)) kind_ = Kind::kSocket;
  }
}

FdSink::~FdSink() {
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

bool FdSink::WriteAll(std::string_view line) noexcept {
  std::optional<SigpipeGuard> guard;
  if (kind_ == Kind::kPipe) guard.emplace();
  while (!line.empty()) {
    const ssize_t n = kind_ == Kind::kSocket ? send(fd_, line.data(), line.size(), MSG_NOSIGNAL)
                                             : write(fd_, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE && guard) guard->NoteEpipe();
      return false;
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void FdSink::Write(std::string_view line) noexcept {
  const int saved_errno = errno;  // logging must not disturb the caller's errno
  if (!WriteAll(line)) dropped_.fetch_add(1, std::memory_order_relaxed);
  errno = saved_errno;
}

void CallbackSink::Write(std::string_view line) noexcept {
  try {
    callback_(line);
  } catch (...) {
    // A sink never throws into the code that logs.
  }
}

void CapturingSink::Write(std::string_view line) noexcept {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  try {
    std::lock_guard lock(mu_);
    lines_.emplace_back(line);
  } catch (...) {
    // Out of memory: drop the line.
  }
}

std::vector<std::string> CapturingSink::Lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

void CapturingSink::Clear() {
  std::lock_guard lock(mu_);
  lines_.clear();
}

}  // namespace novacron::observe
