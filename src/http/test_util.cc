#include "http/test_util.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace novacron::http::testing {

std::unique_ptr<RawClient> RawClient::Connect(uint16_t port, const std::string& host,
                                              int recv_timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &result) != 0) {
    return nullptr;
  }
  int fd = socket(result->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok = fd >= 0 && connect(fd, result->ai_addr, result->ai_addrlen) == 0;
  freeaddrinfo(result);
  if (!ok) {
    if (fd >= 0) close(fd);
    return nullptr;
  }
  timeval tv{};
  tv.tv_sec = recv_timeout_ms / 1000;
  tv.tv_usec = (recv_timeout_ms % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return std::unique_ptr<RawClient>(new RawClient(fd));
}

RawClient::~RawClient() { close(fd_); }

bool RawClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

long RawClient::ReceiveSome() {
  char chunk[16 << 10];
  while (true) {
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) pending_.append(chunk, static_cast<size_t>(n));
    return n;
  }
}

std::optional<RawResponse> RawClient::ReadResponse(bool head) {
  size_t header_end;
  while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (ReceiveSome() <= 0) return std::nullopt;
  }
  std::string_view header_block(pending_.data(), header_end);
  RawResponse response;
  size_t line_end = header_block.find("\r\n");
  std::string_view status_line = header_block.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
  std::from_chars(status_line.data() + 9, status_line.data() + 12, response.status);
  while (line_end != std::string_view::npos) {
    size_t start = line_end + 2;
    line_end = header_block.find("\r\n", start);
    std::string_view line = header_block.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    response.headers.Add(line.substr(0, colon), value);
  }
  size_t length = 0;
  std::string_view length_text = response.headers.Get("Content-Length");
  std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (head || response.status == 204 || response.status == 304 || response.status < 200) {
    length = 0;
  }
  size_t body_start = header_end + 4;
  while (pending_.size() < body_start + length) {
    if (ReceiveSome() <= 0) return std::nullopt;
  }
  response.body = pending_.substr(body_start, length);
  pending_.erase(0, body_start + length);
  return response;
}

bool RawClient::WaitForClose() {
  while (true) {
    ssize_t n = ReceiveSome();
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

std::string SimpleRequest(std::string_view method, std::string_view target,
                          std::string_view extra_headers) {
  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
  request.append(extra_headers).append("\r\n");
  return request;
}

}  // namespace novacron::http::testing
