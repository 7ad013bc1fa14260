#include "http/server.h"

#include <time.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <mutex>
#include <vector>

#include "common/host_port.h"
#include "http/connection.h"
#include "http/handler_pool.h"
#include "http/response_writer.h"
#include "http/server_internal.h"

namespace novacron::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

constexpr auto kSweepInterval = std::chrono::milliseconds(250);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// How long Stop() waits past its deadline for the threads to leave their event loops.
constexpr auto kStopGrace = std::chrono::milliseconds(100);
constexpr int kMaxThreads = 256;

// "Address already in use" -> "address already in use", to fit inside our messages.
std::string ErrorText(const error_code& ec) {
  std::string text = ec.message();
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  std::string address = endpoint.address().to_string();
  if (endpoint.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(endpoint.port());
}

const std::string& OverloadedResponse() {
  static const std::string kResponse = [] {
    Response response =
        Response::Problem(503, "Service Unavailable", "too many connections; retry later");
    std::string out;
    ResponseHeadOptions options;
    options.keep_alive = false;
    (void)SerializeResponseHead(response, options, out);
    return out + response.body;
  }();
  return kResponse;
}

}  // namespace

namespace internal {

int64_t CoarseNowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

bool ClientTally::TryAdd(const std::string& client, int limit) {
  std::lock_guard lock(mu_);
  int& open = open_[client];
  if (limit > 0 && open >= limit) {
    if (open == 0) open_.erase(client);
    return false;
  }
  ++open;
  return true;
}

void ClientTally::Remove(const std::string& client) {
  std::lock_guard lock(mu_);
  auto it = open_.find(client);
  if (it != open_.end() && --it->second <= 0) open_.erase(it);
}

std::string ClientKey(const std::string& remote_address) {
  size_t colon = remote_address.rfind(':');
  if (colon == std::string::npos || (!remote_address.empty() && remote_address.back() == ']')) {
    return remote_address;
  }
  return remote_address.substr(0, colon);
}

void ServerContext::OnConnectionClosed(const std::string& remote_address) {
  clients.Remove(ClientKey(remote_address));
  active_connections.fetch_sub(1);
  if (stopping.load()) {
    std::lock_guard lock(drain_mutex);
    drain_cv.notify_all();
  }
}

Worker::Worker(ServerContext& context) : context_(context) { guard_.emplace(io_.get_executor()); }

Worker::~Worker() = default;

void Worker::StartThread(std::shared_ptr<void> keep_alive) {
  ScheduleSweep();
  thread_ = std::thread([this, keep_alive = std::move(keep_alive)]() mutable {
    while (true) {
      try {
        io_.run();
        break;
      } catch (...) {
        // A handler threw past the connection's own catch; that connection is gone, the
        // others keep being served.
      }
    }
    {
      std::lock_guard lock(context_.drain_mutex);
      exited_ = true;
    }
    context_.drain_cv.notify_all();
    keep_alive.reset();  // may destroy the server when Stop() gave up on this thread
  });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Detach() {
  if (thread_.joinable()) thread_.detach();
}

void Worker::ScheduleSweep() {
  sweep_timer_.expires_after(kSweepInterval);
  sweep_timer_.async_wait([this](const error_code& ec) {
    if (ec) return;
    int64_t now = CoarseNowMs();
    for (Connection* c = connections_; c != nullptr;) {
      Connection* next = c->next;  // Close() never unlinks synchronously, but be safe
      c->CheckDeadline(now);
      c = next;
    }
    ScheduleSweep();
  });
}

void Worker::Adopt(tcp::socket socket, std::string remote_address) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto connection =
      std::make_shared<Connection>(*this, std::move(socket), std::move(remote_address));
  connection->Start();
}

void Worker::DrainConnections() {
  for (Connection* c = connections_; c != nullptr;) {
    Connection* next = c->next;
    c->Drain();
    c = next;
  }
}

void Worker::Shutdown() {
  sweep_timer_.cancel();
  for (Connection* c = connections_; c != nullptr;) {
    Connection* next = c->next;
    c->Close();
    c = next;
  }
  guard_.reset();
}

void Worker::Link(Connection* connection) {
  connection->prev = nullptr;
  connection->next = connections_;
  if (connections_ != nullptr) connections_->prev = connection;
  connections_ = connection;
}

void Worker::Unlink(Connection* connection) {
  if (connection->prev != nullptr) {
    connection->prev->next = connection->next;
  } else if (connections_ == connection) {
    connections_ = connection->next;
  }
  if (connection->next != nullptr) connection->next->prev = connection->prev;
  connection->prev = connection->next = nullptr;
}

}  // namespace internal

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  enum class State { kNew, kRunning, kStopped };

  // Destroyed in reverse order: the acceptor and timer before the workers whose io_context
  // they use, the workers before the context their connections point to.
  internal::ServerContext context;
  std::vector<std::unique_ptr<internal::Worker>> workers;
  // Declared after the workers: connections still queued in it are released before them.
  std::unique_ptr<internal::HandlerPool> pool;
  std::optional<tcp::acceptor> acceptor;           // on workers[0]
  std::optional<asio::steady_timer> accept_retry;  // on workers[0]
  size_t next_worker = 0;                          // only touched by workers[0]
  std::atomic<uint16_t> port{0};
  std::mutex lifecycle_mutex;
  State state = State::kNew;

  Status Start();
  Status Listen();
  void DoAccept();
  void OnAccept(const error_code& ec, tcp::socket socket, internal::Worker& target);
  void Stop(std::chrono::milliseconds deadline);
  bool AllThreadsExited() const {
    return std::all_of(workers.begin(), workers.end(), [](const auto& w) { return w->exited(); }) &&
           (!pool || pool->AllExited());
  }
};

Status HttpServer::Impl::Start() {
  std::lock_guard lifecycle(lifecycle_mutex);
  if (state != State::kNew) return FailedPrecondition("http server: Start() called twice");
  const ServerOptions& options = context.options;
  if (!context.router.status().ok()) return context.router.status().Wrap("http server");
  if (options.threads < 1 || options.threads > kMaxThreads) {
    return InvalidArgument("http server: threads must be in [1, 256], got " +
                           std::to_string(options.threads));
  }
  if (options.max_connections < 1) {
    return InvalidArgument("http server: max_connections must be positive");
  }
  if (options.max_header_bytes < 64 || options.max_header_bytes > (1u << 30)) {
    return InvalidArgument("http server: max_header_bytes must be in [64, 1 GiB]");
  }
  if (options.handler_threads < 0 || options.handler_threads > kMaxThreads) {
    return InvalidArgument("http server: handler_threads must be in [0, 256], got " +
                           std::to_string(options.handler_threads));
  }
  if (options.max_queued_requests < 1) {
    return InvalidArgument("http server: max_queued_requests must be positive");
  }
  if (options.idle_timeout.count() <= 0 || options.read_timeout.count() <= 0) {
    return InvalidArgument("http server: idle_timeout and read_timeout must be positive");
  }
  if (!options.server_header.empty()) {
    if (options.server_header.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("http server: server_header contains a line break");
    }
    context.server_line = "Server: " + options.server_header + "\r\n";
  }
  for (int i = 0; i < options.threads; ++i) {
    workers.push_back(std::make_unique<internal::Worker>(context));
  }
  NOVACRON_RETURN_IF_ERROR(Listen());
  accept_retry.emplace(workers[0]->io());
  DoAccept();
  if (options.handler_threads > 0) {
    pool = std::make_unique<internal::HandlerPool>(options.max_queued_requests, [this] {
      std::lock_guard lock(context.drain_mutex);
      context.drain_cv.notify_all();
    });
    context.pool = pool.get();
    pool->StartThreads(options.handler_threads, shared_from_this());
  }
  for (auto& worker : workers) worker->StartThread(shared_from_this());
  state = State::kRunning;
  return Status::Ok();
}

Status HttpServer::Impl::Listen() {
  const ServerOptions& options = context.options;
  std::string where = "cannot listen on " + FormatHostPort(options.host, options.port);
  if (options.host.empty()) return InvalidArgument(where + ": host is empty");
  error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(workers[0]->io());
    auto results = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      return InvalidArgument(where + ": cannot resolve host '" + options.host +
                             "': " + (ec ? ErrorText(ec) : std::string("no address")));
    }
    endpoint = results.begin()->endpoint();
  }
  where = "cannot listen on " + FormatEndpoint(endpoint);
  acceptor.emplace(workers[0]->io());
  auto fail = [&](const error_code& error) -> Status {
    std::string message = where + ": " + ErrorText(error);
    acceptor.reset();
    if (error == asio::error::address_in_use) return Unavailable(message);
    if (error == asio::error::access_denied) return PermissionDenied(message);
    if (error == asio::error::address_family_not_supported || error.value() == EADDRNOTAVAIL) {
      return InvalidArgument(message);
    }
    return Unavailable(message);
  };
  if (acceptor->open(endpoint.protocol(), ec)) return fail(ec);
  if (acceptor->set_option(tcp::acceptor::reuse_address(true), ec)) return fail(ec);
  if (acceptor->bind(endpoint, ec)) return fail(ec);
  if (acceptor->listen(asio::socket_base::max_listen_connections, ec)) return fail(ec);
  tcp::endpoint local = acceptor->local_endpoint(ec);
  if (ec) return fail(ec);
  port = local.port();
  return Status::Ok();
}

// Handlers on workers[0] capture `this` rather than a shared_ptr: the I/O threads keep the
// server alive while they run, and a pending handler must not keep its own io_context alive.
void HttpServer::Impl::DoAccept() {
  internal::Worker& target = *workers[next_worker];
  next_worker = (next_worker + 1) % workers.size();
  acceptor->async_accept(target.io(), [this, &target](const error_code& ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket), target);
  });
}

void HttpServer::Impl::OnAccept(const error_code& ec, tcp::socket socket,
                                internal::Worker& target) {
  if (ec == asio::error::operation_aborted || context.stopping.load() || !acceptor->is_open()) {
    return;
  }
  if (ec) {
    if (ec == asio::error::connection_aborted) {
      DoAccept();  // the client gave up before we accepted
    } else {
      // Out of file descriptors or similar: back off instead of spinning.
      accept_retry->expires_after(kAcceptRetryDelay);
      accept_retry->async_wait([this](const error_code& wait_ec) {
        if (!wait_ec && !context.stopping.load()) DoAccept();
      });
    }
    return;
  }
  internal::WorkerCounters& counters = workers[0]->counters();
  error_code remote_ec;
  tcp::endpoint remote = socket.remote_endpoint(remote_ec);
  std::string remote_address = remote_ec ? std::string("unknown") : FormatEndpoint(remote);
  const bool over_total = context.active_connections.load() >= context.options.max_connections;
  if (over_total || !context.clients.TryAdd(internal::ClientKey(remote_address),
                                            context.max_connections_per_client.load())) {
    counters.rejected.Increment();
    error_code ignored;
    socket.non_blocking(true, ignored);
    // A TLS client cannot read a plain answer before the handshake: it just sees the close.
    if (!context.options.tls) socket.write_some(asio::buffer(OverloadedResponse()), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  } else {
    counters.accepted.Increment();
    context.active_connections.fetch_add(1);
    asio::post(target.io(), [&target, socket = std::move(socket),
                             remote_address = std::move(remote_address)]() mutable {
      target.Adopt(std::move(socket), std::move(remote_address));
    });
  }
  DoAccept();
}

void HttpServer::Impl::Stop(std::chrono::milliseconds deadline) {
  using Clock = std::chrono::steady_clock;
  std::lock_guard lifecycle(lifecycle_mutex);
  if (state != State::kRunning) {
    state = State::kStopped;
    return;
  }
  state = State::kStopped;
  Clock::time_point drain_end = Clock::now() + std::max(deadline, std::chrono::milliseconds(0));
  context.stopping = true;
  asio::post(workers[0]->io(), [this] {
    error_code ignored;
    acceptor->close(ignored);
    accept_retry->cancel();
  });
  for (auto& worker : workers) {
    asio::post(worker->io(), [w = worker.get()] { w->DrainConnections(); });
  }
  std::unique_lock lock(context.drain_mutex);
  context.drain_cv.wait_until(lock, drain_end,
                              [&] { return context.active_connections.load() <= 0; });
  lock.unlock();

  // Requests still waiting for a handler are not started any more: their connections close now.
  if (pool) pool->Abandon();
  for (auto& worker : workers) {
    asio::post(worker->io(), [w = worker.get()] { w->Shutdown(); });
  }
  Clock::time_point now = Clock::now();
  Clock::time_point grace_end = std::max(now, drain_end) + kStopGrace;
  lock.lock();
  context.drain_cv.wait_until(lock, now + kStopGrace / 2, [&] { return AllThreadsExited(); });
  lock.unlock();
  // A thread still inside a handler never ran Shutdown(): make its loop return once the
  // handler does.
  for (auto& worker : workers) {
    if (!worker->exited()) worker->io().stop();
  }
  lock.lock();
  context.drain_cv.wait_until(lock, grace_end, [&] { return AllThreadsExited(); });
  lock.unlock();
  for (auto& worker : workers) {
    if (worker->exited()) {
      worker->Join();
    } else {
      worker->Detach();  // stuck in a handler; it holds the server alive until it returns
    }
  }
  if (pool) pool->JoinOrDetach();
}

HttpServer::HttpServer(ServerOptions options, Router router) : impl_(std::make_shared<Impl>()) {
  impl_->context.options = std::move(options);
  impl_->context.max_connections_per_client = impl_->context.options.max_connections_per_client;
  impl_->context.router = std::move(router);
}

HttpServer::~HttpServer() { impl_->Stop(std::chrono::milliseconds(0)); }

Status HttpServer::Start() {
  try {
    return impl_->Start();
  } catch (const std::exception& e) {  // thread creation, allocation
    return Internal(std::string("http server: start failed: ") + e.what());
  }
}

uint16_t HttpServer::port() const { return impl_->port.load(); }

void HttpServer::Stop(std::chrono::milliseconds deadline) { impl_->Stop(deadline); }

void HttpServer::SetMaxConnectionsPerClient(int limit) {
  impl_->context.max_connections_per_client.store(limit);
}

ServerStats HttpServer::stats() const {
  ServerStats stats;
  // workers is only resized by Start(), before anyone can call this concurrently with it.
  for (const auto& worker : impl_->workers) {
    internal::WorkerCounters& c = worker->counters();
    stats.connections_accepted += c.accepted.Load();
    stats.connections_rejected += c.rejected.Load();
    stats.requests += c.requests.Load();
    stats.protocol_errors += c.protocol_errors.Load();
    stats.timeouts += c.timeouts.Load();
    stats.tls_handshake_failures += c.tls_handshake_failures.Load();
    stats.busy_rejections += c.busy_rejections.Load();
  }
  if (impl_->pool) stats.queued_requests = impl_->pool->queued();
  stats.active_connections = impl_->context.active_connections.load();
  return stats;
}

}  // namespace novacron::http
