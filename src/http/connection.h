// One client connection: (TLS handshake,) read a request, dispatch it, write the response, repeat
// while keep-alive. Lives on its worker's thread only. Internal to http/.
// Plain and TLS connections share this code: every read and write goes through AsyncReadSome/
// AsyncWrite, which use the TLS stream when there is one and the socket otherwise.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/request.h"
#include "http/request_parser.h"
#include "http/response.h"
#include "http/server_internal.h"
#include "security/tls_context.h"

namespace novacron::http::internal {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Worker& worker, boost::asio::ip::tcp::socket socket, std::string remote_address);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  // Stop(): close now when idle, else after the response being worked on.
  void Drain();
  // Closes the socket; the pending operation completes with an error and releases us.
  void Close();
  // Closes the connection when its current phase has overrun its timeout.
  void CheckDeadline(int64_t now_ms);

  // On a handler-pool thread (http/handler_pool.h): runs the router on the request, unless the
  // server is stopping (`abandoned`), and posts the rest back to the connection's I/O thread,
  // moving `self` along so that the last reference is never dropped off that thread.
  static void HandleOnPool(std::shared_ptr<Connection> self, bool abandoned);

  // The worker's intrusive list.
  Connection* prev = nullptr;
  Connection* next = nullptr;

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kLingering, kClosed };
  enum class AfterWrite { kNextRequest, kClose, kLinger };

  void SetPhase(Phase phase, std::chrono::seconds timeout);
  void StartHandshake();
  void OnHandshake(const boost::system::error_code& ec);
  void BeginRequest();
  void ReadMore();
  void OnRead(const boost::system::error_code& ec, size_t bytes);
  // Feeds the buffered bytes to the parser, then handles the request, answers an error, sends
  // "100 Continue" or reads more.
  void Advance();
  void SendContinue();
  void FailParse(const boost::system::error_code& ec);
  // The request is complete: dispatches it here or queues it for the handler pool.
  void HandleRequest();
  // Runs the router. The only part of a request's handling that may run off the I/O thread: it
  // touches request_ and response_ and nothing else.
  void Dispatch();
  // Back on the I/O thread: sends response_ and goes on with the connection.
  void FinishRequest();
  // Ends the connection after a response: a TLS close_notify first when TLS is on.
  void Shutdown();
  // Answers a protocol error and closes the connection (after lingering).
  void FailRequest(int status, std::string_view title, std::string detail);
  void SendResponse(AfterWrite after);
  void OnWritten(const boost::system::error_code& ec, AfterWrite after);
  void Linger();
  void DiscardInput();

  // The transport: the TLS stream when there is one, else the socket.
  boost::asio::ip::tcp::socket& socket();
  template <typename Buffers, typename Handler>
  void AsyncReadSome(const Buffers& buffers, Handler&& handler);
  template <typename Buffers, typename Handler>
  void AsyncWrite(const Buffers& buffers, Handler&& handler);

  Worker& worker_;
  ServerContext& context_;
  boost::asio::ip::tcp::socket socket_;  // moved into tls_ for a TLS connection
  security::SslContextPtr tls_context_;  // the context tls_ uses, kept alive by us
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  boost::beast::flat_buffer buffer_;
  Request request_;
  std::optional<RequestParser> parser_;
  Response response_;
  std::string head_;  // serialized status line + headers of response_
  Phase phase_ = Phase::kIdle;
  int64_t deadline_ms_ = 0;
  bool draining_ = false;
  bool continue_sent_ = false;
  bool keep_alive_ = false;  // whether the request being handled allows another one after it
};

}  // namespace novacron::http::internal
