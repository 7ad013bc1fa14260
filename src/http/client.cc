#include "http/client.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <vector>

#include "common/host_port.h"
#include "security/openssl_util.h"
#include "security/tls_context.h"

namespace novacron::http {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

std::string ErrorText(const error_code& ec) {
  std::string text = ec.message();
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '!' && c <= '~') &&
           std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
  });
}

bool HasControlOrSpace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F;
  });
}

Status Validate(const ClientRequest& request) {
  if (!IsToken(request.method)) {
    return InvalidArgument("http client: bad method '" + request.method + "'");
  }
  if (request.target.empty() || request.target[0] != '/' || HasControlOrSpace(request.target)) {
    return InvalidArgument("http client: bad target '" + request.target +
                           "' (origin-form, e.g. /api/v1/vms?limit=10)");
  }
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return InvalidArgument("http client: bad header '" + name + "'");
    }
  }
  return Status::Ok();
}

// All the state of one exchange; lives on the caller's stack while the io_context runs.
struct Exchange {
  explicit Exchange(asio::io_context& io) : socket(io), timer(io) {}

  tcp::socket socket;
  std::optional<asio::ssl::stream<tcp::socket&>> tls;  // https
  asio::steady_timer timer;
  beast_http::request<beast_http::string_body> request;
  beast_http::response_parser<beast_http::string_body> parser;
  boost::beast::flat_buffer buffer;
  bool timed_out = false;
  bool connected = false;
  bool read_done = false;
  bool handshake_failed = false;
  std::string handshake_error;
  error_code connect_ec;
  error_code read_ec;

  void Finish(const error_code& ec) {
    read_ec = ec;
    read_done = true;
    timer.cancel();
    error_code ignored;
    socket.close(ignored);  // also aborts a write the server no longer wanted
  }

  void ArmTimer(Clock::time_point deadline) {
    timer.expires_at(deadline);
    timer.async_wait([this](const error_code& ec) {
      if (ec) return;  // cancelled: the step finished in time
      timed_out = true;
      error_code ignored;
      socket.close(ignored);
    });
  }
};

Result<ClientResponse> DoRequest(const ClientRequest& request) {
  NOVACRON_RETURN_IF_ERROR(Validate(request));
  const std::string where = FormatHostPort(request.host, request.port);
  const std::string exchange_name =
      request.method + (request.tls ? " https://" : " http://") + where + request.target;
  asio::io_context io(1);

  std::vector<tcp::endpoint> endpoints;
  error_code ec;
  asio::ip::address address = asio::ip::make_address(request.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, request.port);
  } else {
    tcp::resolver resolver(io);
    auto results = resolver.resolve(request.host, std::to_string(request.port),
                                    tcp::resolver::numeric_service, ec);
    if (ec) return Unavailable("cannot connect to " + where + ": " + ErrorText(ec));
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }

  security::SslContextPtr tls_context;
  if (request.tls) {
    auto built = security::BuildClientContext({.ca_file = request.tls->ca_file,
                                               .cert_file = request.tls->cert_file,
                                               .key_file = request.tls->key_file,
                                               .setting_prefix = "https",
                                               .ca_name = "CA file",
                                               .cert_name = "client certificate",
                                               .key_name = "client key"});
    if (!built.ok()) return built.status();
    tls_context = *built;
  }

  Exchange x(io);
  if (tls_context) {
    x.tls.emplace(x.socket, *tls_context);
    const std::string& name =
        request.tls->server_name.empty() ? request.host : request.tls->server_name;
    NOVACRON_RETURN_IF_ERROR(security::SetExpectedPeer(x.tls->native_handle(), name));
  }
  x.request.version(11);
  beast_http::verb verb = beast_http::string_to_verb(request.method);
  if (verb == beast_http::verb::unknown) {
    x.request.method_string(request.method);
  } else {
    x.request.method(verb);
  }
  x.request.target(request.target);
  x.request.set(beast_http::field::host, where);
  x.request.set(beast_http::field::user_agent, "novacron");
  for (const auto& [name, value] : request.headers) {
    if (EqualsIgnoreCase(name, "Host") || EqualsIgnoreCase(name, "User-Agent")) {
      x.request.set(name, value);  // the caller's value wins over our default
    } else if (!EqualsIgnoreCase(name, "Content-Length") &&
               !EqualsIgnoreCase(name, "Transfer-Encoding") &&
               !EqualsIgnoreCase(name, "Connection")) {
      x.request.insert(name, value);  // framing is ours
    }
  }
  x.request.keep_alive(false);
  x.request.body() = request.body;
  if (!request.body.empty() || verb == beast_http::verb::post || verb == beast_http::verb::put ||
      verb == beast_http::verb::patch) {
    x.request.prepare_payload();
  }
  x.parser.body_limit(request.max_response_body_bytes);
  x.parser.header_limit(64 << 10);
  if (verb == beast_http::verb::head) x.parser.skip(true);

  Clock::time_point start = Clock::now();
  Clock::time_point total_deadline = start + request.timeout;
  x.ArmTimer(std::min(start + request.connect_timeout, total_deadline));
  auto exchange = [&](auto& stream) {
    // Read while writing: a server may answer (413) before it has read the whole body.
    beast_http::async_write(stream, x.request, [](const error_code&, size_t) {});
    beast_http::async_read_header(
        stream, x.buffer, x.parser, [&, s = &stream](const error_code& header_ec, size_t) {
          // Boost 1.74 does not apply body_limit to a response's Content-Length: check here.
          if (!header_ec && x.parser.content_length() &&
              *x.parser.content_length() > request.max_response_body_bytes) {
            return x.Finish(beast_http::error::body_limit);
          }
          if (header_ec || x.parser.is_done()) return x.Finish(header_ec);
          beast_http::async_read(*s, x.buffer, x.parser,
                                 [&](const error_code& read_ec, size_t) { x.Finish(read_ec); });
        });
  };
  asio::async_connect(x.socket, endpoints, [&](const error_code& connect_ec, const tcp::endpoint&) {
    x.connect_ec = connect_ec;
    if (connect_ec) {
      x.timer.cancel();
      return;
    }
    x.connected = true;
    x.ArmTimer(total_deadline);
    if (!x.tls) return exchange(x.socket);
    x.tls->async_handshake(asio::ssl::stream_base::client, [&](const error_code& handshake_ec) {
      if (handshake_ec) {
        x.handshake_failed = true;
        long verify = SSL_get_verify_result(x.tls->native_handle());
        x.handshake_error = verify != X509_V_OK ? std::string("certificate verify failed: ") +
                                                      X509_verify_cert_error_string(verify)
                                                : ErrorText(handshake_ec);
        return x.Finish(handshake_ec);
      }
      exchange(*x.tls);
    });
  });
  io.run();

  auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; };
  if (!x.connected) {
    if (x.timed_out) {
      return DeadlineExceeded("cannot connect to " + where + ": timed out after " +
                              ms(std::min(request.connect_timeout, request.timeout)));
    }
    return Unavailable("cannot connect to " + where + ": " + ErrorText(x.connect_ec));
  }
  if (x.handshake_failed && !x.timed_out) {
    return Unavailable("TLS handshake with " + where + " failed: " + x.handshake_error);
  }
  if (x.timed_out && !(x.read_done && !x.read_ec)) {
    return DeadlineExceeded(exchange_name + ": no complete response within " + ms(request.timeout));
  }
  if (x.read_ec) {
    if (x.read_ec == beast_http::error::body_limit) {
      return ResourceExhausted(exchange_name + ": response body exceeds " +
                               std::to_string(request.max_response_body_bytes) + " bytes");
    }
    const auto& http_category = error_code(beast_http::error::bad_version).category();
    if (x.read_ec.category() == http_category && x.read_ec != beast_http::error::end_of_stream &&
        x.read_ec != beast_http::error::partial_message) {
      return Internal(exchange_name + ": malformed response: " + ErrorText(x.read_ec));
    }
    return Unavailable(exchange_name + ": " + ErrorText(x.read_ec));
  }

  auto& message = x.parser.get();
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.Add(std::string_view(field.name_string().data(), field.name_string().size()),
                         std::string_view(field.value().data(), field.value().size()));
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

Result<ClientResponse> HttpRequest(const ClientRequest& request) {
  try {
    return DoRequest(request);
  } catch (const std::exception& e) {
    return Internal("http client: " + request.method + " " +
                    FormatHostPort(request.host, request.port) + request.target + ": " + e.what());
  }
}

}  // namespace novacron::http
