// Test helpers: a raw TCP client that speaks bytes (for malformed requests, pipelining and
// keep-alive checks), a minimal HTTP/1.1 response reader, and a latch for handlers to wait on.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.h"

namespace novacron::http::testing {

struct RawResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

class RawClient {
 public:
  // Connects to host:port with a receive timeout of `recv_timeout_ms` per read (so a test fails
  // instead of hanging). Returns nullptr on failure.
  static std::unique_ptr<RawClient> Connect(uint16_t port, const std::string& host = "127.0.0.1",
                                            int recv_timeout_ms = 20000);
  ~RawClient();

  bool Send(std::string_view bytes);
  // Reads one response; for a HEAD request pass head=true (no body is read). nullopt on EOF,
  // error or timeout before a complete response.
  std::optional<RawResponse> ReadResponse(bool head = false);
  // Reads until the peer closes; true if it did (EOF or reset) before the receive timeout.
  bool WaitForClose();
  // Bytes received but not consumed by ReadResponse.
  const std::string& pending() const { return pending_; }

 private:
  explicit RawClient(int fd) : fd_(fd) {}
  // Appends what one recv() returns; 0 on EOF, -1 on error or timeout.
  long ReceiveSome();

  int fd_;
  std::string pending_;
};

// A latch the test opens; handlers wait on it.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;  // guarded by mu_
};

// "GET /path HTTP/1.1\r\nHost: test\r\n<extra>\r\n"
std::string SimpleRequest(std::string_view method, std::string_view target,
                          std::string_view extra_headers = "");

}  // namespace novacron::http::testing
