// A TCP proxy on loopback for fault injection: forwards every connection to a target, and can
// cut the link - close every connection and refuse new ones - and heal it again, as a network
// partition does to one node. Used to cut one daemon off etcd while the test still reaches it.
//
//   TcpProxy proxy(etcd.Endpoint(0));       // "127.0.0.1:<port>"
//   ASSERT_TRUE(proxy.Start().ok());
//   daemon env: NOVACRON_CLUSTER_ETCD_ENDPOINTS = proxy.Endpoint()
//   proxy.Cut(); ... proxy.Heal();
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace novacron::testing {

class TcpProxy {
 public:
  // `target` is "127.0.0.1:<port>" (loopback only).
  explicit TcpProxy(std::string target);
  ~TcpProxy();  // stops and closes everything
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // Listens on a free loopback port.
  Status Start();
  // "127.0.0.1:<port>" of the listener.
  std::string Endpoint() const;

  // Closes every open connection and refuses new ones (accepted and closed at once) until Heal().
  void Cut();
  void Heal();
  bool cut() const { return cut_.load(); }

 private:
  struct Link;
  void AcceptLoop();

  const std::string target_host_;
  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> cut_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::shared_ptr<Link>> links_;  // guarded by mu_
  std::thread acceptor_;
};

}  // namespace novacron::testing
