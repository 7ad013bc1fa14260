// Internals shared by server.cc and connection.cc. Includes Asio: never include it from a
// public header.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "http/router.h"
#include "http/server.h"

namespace novacron::http::internal {

// Milliseconds on a coarse monotonic clock (a few ms resolution, cheaper than steady_clock):
// timeouts are seconds long.
int64_t CoarseNowMs();

// Open connections per client address, for max_connections_per_client. Counted whatever the
// limit, so a limit set while running (SIGHUP) sees the connections already open.
class ClientTally {
 public:
  // Counts one more connection from `client` unless that would exceed `limit` (<= 0: none).
  bool TryAdd(const std::string& client, int limit);
  void Remove(const std::string& client);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, int> open_;  // guarded by mu_
};

// "10.0.0.1:4242" -> "10.0.0.1", "[::1]:80" -> "[::1]": the key connections are counted by.
std::string ClientKey(const std::string& remote_address);

class HandlerPool;

// Read-mostly state every worker needs; outlives the workers.
struct ServerContext {
  ServerOptions options;
  Router router;
  std::string server_line;  // "Server: novacron\r\n" or ""
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> active_connections{0};
  std::atomic<int> max_connections_per_client{0};
  ClientTally clients;
  HandlerPool* pool = nullptr;  // set by Start() when options.handler_threads > 0
  std::mutex drain_mutex;       // only used while stopping
  std::condition_variable drain_cv;

  // `remote_address` as given to the connection: its client's count goes down.
  void OnConnectionClosed(const std::string& remote_address);
};

// A counter written by one thread and read by others: a relaxed load+store, no locked RMW.
class SingleWriterCounter {
 public:
  void Increment() {
    value_.store(value_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  uint64_t Load() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

struct WorkerCounters {
  SingleWriterCounter accepted;  // written by the accepting worker
  SingleWriterCounter rejected;
  SingleWriterCounter requests;
  SingleWriterCounter protocol_errors;
  SingleWriterCounter timeouts;
  SingleWriterCounter tls_handshake_failures;
  SingleWriterCounter busy_rejections;
};

class Connection;

// One I/O thread with its own io_context and the connections it owns. Everything but the
// constructor, Start and the thread bookkeeping runs on the worker's own thread.
class Worker {
 public:
  explicit Worker(ServerContext& context);
  ~Worker();

  boost::asio::io_context& io() { return io_; }
  ServerContext& context() { return context_; }
  WorkerCounters& counters() { return counters_; }

  // Starts the thread; `keep_alive` (the server) is held by the thread until it exits.
  void StartThread(std::shared_ptr<void> keep_alive);
  bool exited() const { return exited_.load(); }
  void Join();
  void Detach();

  // On the worker's thread:
  void Adopt(boost::asio::ip::tcp::socket socket, std::string remote_address);
  void DrainConnections();  // Stop(): close idle ones, the rest after their response
  void Shutdown();          // close everything, stop the sweep timer, let run() return
  void Link(Connection* connection);
  void Unlink(Connection* connection);

 private:
  void ScheduleSweep();

  ServerContext& context_;
  WorkerCounters counters_;
  Connection* connections_ = nullptr;  // intrusive list; declared before io_, which owns them
  boost::asio::io_context io_{1};
  boost::asio::steady_timer sweep_timer_{io_};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread thread_;
  std::atomic<bool> exited_{false};
};

}  // namespace novacron::http::internal
