#include "http/connection.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <string_view>
#include <utility>

#include "http/handler_pool.h"
#include "http/response_writer.h"
#include "security/certificate.h"
#include "security/tls_context_source.h"

namespace novacron::http::internal {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using boost::system::error_code;

constexpr size_t kReadChunk = 8 << 10;
// After a protocol error we read and discard what the client still sends for this long before
// closing, so that it sees our error response instead of a connection reset.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Whether the handler asked for the connection to be closed.
bool WantsClose(const Response& response) {
  std::string_view connection = response.headers.Get("Connection");
  return !connection.empty() && EqualsIgnoreCase(connection, "close");
}

// Whether the request line ends in a well-formed "HTTP/d.d": Beast reports both "HTTP/2.0"
// (-> 505) and "HTTX/1.1" (-> 400) as bad_version.
bool NamesAnHttpVersion(const boost::beast::flat_buffer& buffer) {
  std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  std::string_view line = data.substr(0, data.find("\r\n"));
  if (line.size() < 9) return false;
  std::string_view version = line.substr(line.size() - 8);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return version.substr(0, 5) == "HTTP/" && digit(version[5]) && version[6] == '.' &&
         digit(version[7]) && line[line.size() - 9] == ' ';
}

}  // namespace

Connection::Connection(Worker& worker, asio::ip::tcp::socket socket, std::string remote_address)
    : worker_(worker), context_(worker.context()), socket_(std::move(socket)) {
  request_.remote_address = std::move(remote_address);
  worker_.Link(this);
}

Connection::~Connection() {
  worker_.Unlink(this);
  context_.OnConnectionClosed(request_.remote_address);
}

void Connection::Start() {
  if (context_.stopping.load(std::memory_order_relaxed)) {
    Close();
    return;
  }
  if (context_.options.tls) {
    StartHandshake();
  } else {
    BeginRequest();
  }
}

asio::ip::tcp::socket& Connection::socket() { return tls_ ? tls_->next_layer() : socket_; }

template <typename Buffers, typename Handler>
void Connection::AsyncReadSome(const Buffers& buffers, Handler&& handler) {
  if (tls_) {
    tls_->async_read_some(buffers, std::forward<Handler>(handler));
  } else {
    socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }
}

template <typename Buffers, typename Handler>
void Connection::AsyncWrite(const Buffers& buffers, Handler&& handler) {
  if (tls_) {
    asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
  } else {
    asio::async_write(socket_, buffers, std::forward<Handler>(handler));
  }
}

void Connection::StartHandshake() {
  // The context current now; a reload later only affects connections accepted after it.
  tls_context_ = context_.options.tls->Current();
  tls_.emplace(std::move(socket_), *tls_context_);
  SetPhase(Phase::kHandshake, context_.options.read_timeout);
  tls_->async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this()](const error_code& ec) { self->OnHandshake(ec); });
}

void Connection::OnHandshake(const error_code& ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {  // wrong protocol version, no or untrusted client certificate, plain HTTP, ...
    worker_.counters().tls_handshake_failures.Increment();
    Close();
    return;
  }
  if (X509* peer = SSL_get0_peer_certificate(tls_->native_handle())) {
    // Only a verified certificate gets here: the context fails the handshake otherwise.
    security::PeerIdentity id = security::ExtractPeerIdentity(peer);
    request_.peer_identity = std::move(id.identity);
    request_.peer_roles = std::move(id.roles);
  }
  BeginRequest();
}

void Connection::SetPhase(Phase phase, std::chrono::seconds timeout) {
  phase_ = phase;
  deadline_ms_ = CoarseNowMs() + std::chrono::milliseconds(timeout).count();
}

void Connection::BeginRequest() {
  request_.Reset();
  parser_.emplace(request_, context_.options.max_header_bytes, context_.options.max_body_bytes);
  continue_sent_ = false;
  if (buffer_.size() == 0) {
    SetPhase(Phase::kIdle, context_.options.idle_timeout);
    ReadMore();
  } else {
    // The client pipelined: the next request is already (partly) here.
    SetPhase(Phase::kReading, context_.options.read_timeout);
    Advance();
  }
}

void Connection::ReadMore() {
  AsyncReadSome(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](const error_code& ec, size_t bytes) { self->OnRead(ec, bytes); });
}

void Connection::OnRead(const error_code& ec, size_t bytes) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {  // EOF, reset, or our own Close()
    Close();
    return;
  }
  buffer_.commit(bytes);
  if (phase_ == Phase::kIdle) SetPhase(Phase::kReading, context_.options.read_timeout);
  Advance();
}

void Connection::Advance() {
  boost::beast::error_code ec;
  while (buffer_.size() > 0 && !parser_->is_done()) {
    size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == beast_http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  if (ec) {
    FailParse(ec);
  } else if (parser_->is_done()) {
    HandleRequest();
  } else if (parser_->is_header_done() && parser_->expects_continue() && !continue_sent_ &&
             request_.version == 11) {
    SendContinue();
  } else {
    ReadMore();
  }
}

void Connection::SendContinue() {
  continue_sent_ = true;
  AsyncWrite(asio::buffer(kContinue.data(), kContinue.size()),
             [self = shared_from_this()](const error_code& ec, size_t) {
               if (self->phase_ == Phase::kClosed) return;
               if (ec) {
                 self->Close();
                 return;
               }
               self->ReadMore();
             });
}

void Connection::FailParse(const boost::beast::error_code& ec) {
  const ServerOptions& options = context_.options;
  if (ec == beast_http::error::body_limit) {
    FailRequest(
        413, "Content Too Large",
        "request body exceeds the limit of " + std::to_string(options.max_body_bytes) + " bytes");
  } else if (ec == beast_http::error::header_limit) {
    FailRequest(431, "Request Header Fields Too Large",
                "request line and headers exceed the limit of " +
                    std::to_string(options.max_header_bytes) + " bytes");
  } else if (parser_->unknown_method()) {
    FailRequest(501, "Not Implemented", "request method is not supported");
  } else if (ec == beast_http::error::bad_version && NamesAnHttpVersion(buffer_)) {
    FailRequest(505, "HTTP Version Not Supported", "only HTTP/1.0 and HTTP/1.1 are supported");
  } else {
    FailRequest(400, "Bad Request", "malformed HTTP request: " + ec.message());
  }
}

void Connection::HandleRequest() {
  phase_ = Phase::kHandling;
  worker_.counters().requests.Increment();
  keep_alive_ = parser_->keep_alive();
  HandlerPool* pool = context_.pool;
  const ServerOptions& options = context_.options;
  if (pool != nullptr && !(options.handle_on_io_thread && options.handle_on_io_thread(request_))) {
    if (pool->Submit(shared_from_this())) return;  // HandleOnPool continues
    worker_.counters().busy_rejections.Increment();
    response_ =
        Response::Problem(503, "Service Unavailable",
                          "the server is busy: " + std::to_string(options.max_queued_requests) +
                              " requests are waiting for a handler; retry later");
    response_.headers.Set("Retry-After", "1");
  } else {
    Dispatch();
  }
  FinishRequest();
}

void Connection::Dispatch() {
  try {
    response_ = context_.router.Dispatch(request_);
  } catch (...) {  // only allocation failures get here: Dispatch catches handler exceptions
    response_ = Response::Problem(500, "Internal Server Error", "out of memory");
  }
}

void Connection::HandleOnPool(std::shared_ptr<Connection> self, bool abandoned) {
  Connection& connection = *self;
  if (!abandoned) connection.Dispatch();
  asio::post(connection.worker_.io(), [self = std::move(self), abandoned] {
    if (self->phase_ == Phase::kClosed) return;
    if (abandoned) {
      self->Close();
    } else {
      self->FinishRequest();
    }
  });
}

void Connection::FinishRequest() {
  bool keep_alive = keep_alive_ && !draining_ && !context_.stopping.load(std::memory_order_relaxed);
  if (keep_alive && WantsClose(response_)) keep_alive = false;
  SendResponse(keep_alive ? AfterWrite::kNextRequest : AfterWrite::kClose);
}

void Connection::FailRequest(int status, std::string_view title, std::string detail) {
  worker_.counters().protocol_errors.Increment();
  phase_ = Phase::kHandling;
  response_ = Response::Problem(status, title, detail);
  SendResponse(AfterWrite::kLinger);
}

void Connection::SendResponse(AfterWrite after) {
  ResponseHeadOptions options;
  options.head_request = request_.method == "HEAD";
  options.keep_alive = after == AfterWrite::kNextRequest;
  options.http10 = request_.version == 10;
  options.server_line = context_.server_line;
  Status serialized = SerializeResponseHead(response_, options, head_);
  if (!serialized.ok()) {
    response_ = Response::Problem(500, "Internal Server Error", serialized.message());
    (void)SerializeResponseHead(response_, options, head_);  // a problem response always fits
  }
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::const_buffer()};
  if (ResponseCarriesBody(response_.status, options.head_request)) {
    buffers[1] = asio::buffer(response_.body);
  }
  SetPhase(Phase::kWriting, context_.options.read_timeout);
  AsyncWrite(buffers, [self = shared_from_this(), after](const error_code& ec, size_t) {
    self->OnWritten(ec, after);
  });
}

void Connection::OnWritten(const error_code& ec, AfterWrite after) {
  if (phase_ == Phase::kClosed) return;
  response_ = Response();  // don't hold a large body while idle
  if (ec) {
    Close();
  } else if (after == AfterWrite::kLinger) {
    Linger();
  } else if (after == AfterWrite::kClose || draining_) {
    Shutdown();
  } else {
    BeginRequest();
  }
}

void Connection::Shutdown() {
  if (tls_) {
    // close_notify tells the client the response is complete, not truncated. asio then waits
    // for the client's own close_notify (or its close): bounded like lingering.
    SetPhase(Phase::kLingering, kLingerTime);
    tls_->async_shutdown([self = shared_from_this()](const error_code&) { self->Close(); });
    return;
  }
  error_code ignored;
  socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  Close();
}

// After a protocol error the client may still be sending: we read and drop its bytes for a
// while, so that closing with unread input does not reset the connection (and destroy our
// error response in the client's receive buffer). TLS connections too end this way, without
// close_notify, since the client's stream is broken anyway.
void Connection::Linger() {
  error_code ignored;
  socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  if (draining_) {
    Close();
    return;
  }
  SetPhase(Phase::kLingering, kLingerTime);
  DiscardInput();
}

void Connection::DiscardInput() {
  buffer_.clear();
  AsyncReadSome(buffer_.prepare(kReadChunk),
                [self = shared_from_this()](const error_code& ec, size_t) {
                  if (self->phase_ == Phase::kClosed) return;
                  if (ec) {
                    self->Close();
                    return;
                  }
                  self->DiscardInput();
                });
}

void Connection::Drain() {
  draining_ = true;
  if (phase_ == Phase::kHandshake || phase_ == Phase::kIdle || phase_ == Phase::kLingering) {
    Close();
  }
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  error_code ignored;
  socket().close(ignored);
}

void Connection::CheckDeadline(int64_t now_ms) {
  if (now_ms < deadline_ms_) return;
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kLingering:
      Close();
      break;
    case Phase::kHandshake:
    case Phase::kReading:
    case Phase::kWriting:
      worker_.counters().timeouts.Increment();
      Close();
      break;
    case Phase::kHandling:
    case Phase::kClosed:
      break;
  }
}

}  // namespace novacron::http::internal
