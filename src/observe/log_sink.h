// Where formatted log lines go. A sink receives whole lines (ending in '\n') and must write each
// one atomically with respect to other lines; it never throws and never kills the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace novacron::observe {

class LogSink {
 public:
  virtual ~LogSink() = default;
  // Called concurrently from many threads with one complete line.
  virtual void Write(std::string_view line) noexcept = 0;
  // True when lines end up on a terminal (selects the text format and colours in auto mode).
  virtual bool IsTerminal() const noexcept { return false; }
};

// Writes each line with a single write(2) (send(2) on a socket), so lines from different threads
// never interleave. A failed write (EPIPE, EBADF, ENOSPC, EAGAIN) drops the line and is counted;
// writing to a pipe whose reader is gone never raises SIGPIPE. The kernel makes a write to a pipe
// atomic only up to PIPE_BUF (4096 bytes): longer lines to a shared pipe may interleave with other
// processes' writes (files opened with O_APPEND, sockets and terminals do not have this limit).
class FdSink final : public LogSink {
 public:
  // Does not take ownership of `fd` unless `owns_fd`.
  explicit FdSink(int fd, bool owns_fd = false);
  ~FdSink() override;
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;

  void Write(std::string_view line) noexcept override;
  bool IsTerminal() const noexcept override { return is_terminal_; }

  int fd() const { return fd_; }
  // Lines that could not be written (entirely).
  uint64_t dropped_lines() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  enum class Kind : uint8_t { kPlain, kPipe, kSocket };

  // One write(2)/send(2), retried only on EINTR and for the rest of a partial write.
  bool WriteAll(std::string_view line) noexcept;

  int fd_;
  bool owns_fd_;
  bool is_terminal_;
  Kind kind_;
  std::atomic<uint64_t> dropped_{0};
};

// Hands each line to a function (e.g. to forward it elsewhere). The function must be thread-safe;
// exceptions it throws are swallowed.
class CallbackSink final : public LogSink {
 public:
  explicit CallbackSink(std::function<void(std::string_view line)> callback)
      : callback_(std::move(callback)) {}
  void Write(std::string_view line) noexcept override;

 private:
  std::function<void(std::string_view)> callback_;
};

// Keeps every line in memory; for tests of code that logs.
class CapturingSink final : public LogSink {
 public:
  void Write(std::string_view line) noexcept override;
  // The lines so far, without their trailing '\n'.
  std::vector<std::string> Lines() const;
  void Clear();

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace novacron::observe
