// The HTTP/1.1 server: keep-alive, pipelining, limits and timeouts, N I/O threads.
//
//   http::Router router;
//   router.Get("/health/live", [](const http::Request&) { return http::Response::Text(200, "ok");
//   }); http::HttpServer server({.port = 8080}, std::move(router));
//   NOVACRON_RETURN_IF_ERROR(server.Start());
//   ...
//   server.Stop(std::chrono::seconds(5));
//
// Each I/O thread runs its own event loop and owns the connections it was given. Handlers run
// on a separate pool (handler_threads), so a slow one (an fsync, libvirt, a child process)
// holds up only its own request, never the I/O of other connections; requests that
// handle_on_io_thread picks (cheap probes) skip the pool. With handler_threads = 0 every
// handler runs on the I/O threads, which suits handlers that never block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/router.h"

namespace novacron::security {
class TlsContextSource;  // security/tls_context_source.h
}

namespace novacron::http {

struct ServerOptions {
  std::string host = "127.0.0.1";          // IPv4/IPv6 literal or a name; "::" or "0.0.0.0" for all
  uint16_t port = 0;                       // 0 = ephemeral; see HttpServer::port()
  int threads = 2;                         // I/O threads, each with its own event loop
  size_t max_body_bytes = 1 << 20;         // larger -> 413
  size_t max_header_bytes = 16 << 10;      // request line + headers; larger -> 431
  std::chrono::seconds idle_timeout{30};   // keep-alive connection waiting for a request
  std::chrono::seconds read_timeout{10};   // to receive a whole request once it began; also
                                           // the time allowed to write a response
  int max_connections = 10000;             // beyond: 503 and close
  int max_connections_per_client = 0;      // per client address; 0 = no limit; beyond: 503
  std::string server_header = "novacron";  // "" sends no Server header
  // When set, every connection is TLS: the handshake (bounded by read_timeout) uses the
  // source's context current at accept time, so a reload never touches open connections.
  std::shared_ptr<security::TlsContextSource> tls{};
  // Threads that run handlers; 0 = handlers run on the I/O threads.
  int handler_threads = 0;
  // Requests waiting for a handler thread beyond this are answered 503 with Retry-After.
  int max_queued_requests = 1024;
  // With handler_threads > 0: requests for which this returns true are handled on the I/O
  // thread anyway, so that they never wait behind slow ones (health probes, /metrics). It sees
  // the parsed request before routing (Request::route is empty) and must not block.
  std::function<bool(const Request&)> handle_on_io_thread{};
};

// Counters since Start(), for /metrics.
struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_rejected = 0;    // over max_connections or max_connections_per_client
  uint64_t requests = 0;                // answered by the router
  uint64_t protocol_errors = 0;         // 400, 413, 431, 501, 505 sent by the server itself
  uint64_t timeouts = 0;                // connections closed by read_timeout (idle ones aren't)
  uint64_t tls_handshake_failures = 0;  // TLS connections closed before a completed handshake
  uint64_t busy_rejections = 0;  // 503: max_queued_requests were already waiting for a handler
  int64_t queued_requests = 0;   // waiting for a handler thread now
  int64_t active_connections = 0;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Router router);
  ~HttpServer();  // Stop(0) if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Fails with a message naming the address
  // ("cannot listen on 127.0.0.1:8080: address already in use"), on a router registration
  // error, on bad options, or when called twice.
  Status Start();

  // The bound port (the ephemeral one when options.port was 0); 0 before Start().
  uint16_t port() const;

  // Stops accepting, closes idle connections, lets in-flight requests finish until `deadline`,
  // then closes everything. Returns within deadline + ~100 ms even if a handler never returns
  // (its thread is then left to finish on its own, and the server's internals live until it
  // does). Requests still queued for a handler at the deadline are dropped unhandled.
  // Idempotent; do not call from a handler.
  void Stop(std::chrono::milliseconds deadline);

  ServerStats stats() const;

  // Changes max_connections_per_client while running (SIGHUP); open connections stay.
  void SetMaxConnectionsPerClient(int limit);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the I/O threads, so a stuck one can outlive us
};

}  // namespace novacron::http
