// A real redis-server for tests: started from the Debian package on a free loopback port in a
// temp dir, with persistence off, and killed when the harness goes away.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/status.h"

namespace novacron::testing {

class RedisServer {
 public:
  struct Options {
    std::string password{};  // empty: no requirepass
    int port = 0;            // 0: a free one
  };

  // Why redis-server cannot run on this machine, or "" when it can. Tests GTEST_SKIP() with it.
  static std::string SkipReason();

  RedisServer() : RedisServer(Options{}) {}
  explicit RedisServer(Options options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server (on the same port as before, after a Stop or Kill) and waits until it
  // answers PING.
  Status Start();
  // SIGTERM and wait; the port stays reserved for Start().
  void Stop();
  // SIGKILL and wait: a crash, as clients see it.
  void Kill();
  Status Restart();
  // SIGSTOP / SIGCONT: the server keeps its data and its sockets but stops answering, as when
  // a network partition or a stall makes clients time out.
  void Pause();
  void Resume();

  bool running() const { return pid_ > 0; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // "redis://[:password@]127.0.0.1:<port>/<db>"
  std::string Url(int db = 0) const;
  const std::string& dir() const { return dir_; }

 private:
  Status WaitUntilAnswering();
  std::string LogTail() const;
  void Signal(int signal);

  Options options_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace novacron::testing
