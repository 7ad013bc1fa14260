// For the CLI's tests: a real HTTP server on loopback that answers like the daemon's REST API
// from canned handlers (the daemon itself is exercised by the end-to-end tests).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "cli/cmd_vm_api_client.h"
#include "http/server.h"

namespace novacron::cli {

class FakeDaemon {
 public:
  explicit FakeDaemon(http::Router router) : server_({.threads = 1}, std::move(router)) {}
  ~FakeDaemon() { server_.Stop(std::chrono::seconds(1)); }
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  void Start() {
    Status s = server_.Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // "127.0.0.1:PORT", for --server.
  std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  ApiClient Client() const {
    return ApiClient({"127.0.0.1", server_.port()}, std::chrono::seconds(10));
  }

 private:
  http::HttpServer server_;
};

}  // namespace novacron::cli
