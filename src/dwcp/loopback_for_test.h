// Loopback TCP peers for tests: one that accepts, one that refuses, one that never answers.
// All on 127.0.0.1 with kernel-chosen ports, so tests can run in parallel.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace novacron::dwcp {

// A socket bound to 127.0.0.1 on a fresh port. Listens with `backlog` unless backlog < 0.
inline int BoundLoopbackSocket(int backlog, std::string* address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  if (backlog >= 0) {
    EXPECT_EQ(::listen(fd, backlog), 0);
  }
  socklen_t len = sizeof addr;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  *address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  return fd;
}

// Accepts and closes every connection until destroyed.
class AcceptingPeer {
 public:
  AcceptingPeer() {
    fd_ = BoundLoopbackSocket(SOMAXCONN, &address_);
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, 20) == 1) {
          const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (c >= 0) {
            accepted_.fetch_add(1);
            ::close(c);
          }
        }
      }
    });
  }
  ~AcceptingPeer() {
    stop_.store(true);
    thread_.join();
    ::close(fd_);
  }
  const std::string& address() const { return address_; }
  int accepted() const { return accepted_.load(); }

 private:
  int fd_ = -1;
  std::string address_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// A port that is bound but not listening: connects are refused at once, and no other process
// can take the port while this lives.
class RefusingPeer {
 public:
  RefusingPeer() { fd_ = BoundLoopbackSocket(-1, &address_); }
  ~RefusingPeer() { ::close(fd_); }
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
};

// A listener whose accept queue is full and never drained: the kernel drops further SYNs, so
// connects neither complete nor fail. ok() is false if the queue could not be filled.
class SilentPeer {
 public:
  SilentPeer() {
    fd_ = BoundLoopbackSocket(0, &address_);
    const auto port = static_cast<uint16_t>(std::stoi(address_.substr(address_.rfind(':') + 1)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    for (int i = 0; i < 16 && !ok_; ++i) {
      const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      fillers_.push_back(c);
      if (::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) continue;
      pollfd pfd{c, POLLOUT, 0};
      ok_ = ::poll(&pfd, 1, 200) == 0;  // this connect hangs: the queue is full
    }
  }
  ~SilentPeer() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  bool ok() const { return ok_; }
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
  std::vector<int> fillers_;
  bool ok_ = false;
};

}  // namespace novacron::dwcp
