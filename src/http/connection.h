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
  void HandleRequest();
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
};

}  // namespace novacron::http::internal
