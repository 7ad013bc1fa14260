// The real Connector: a timed, non-blocking TCP connect.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "dwcp/connector.h"

namespace novacron::dwcp {
namespace {

// Closes a file descriptor at scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

Status ConnectError(const std::string& peer, int err) {
  std::string msg = "connect " + peer + ": " + std::strerror(err);
  if (err == ETIMEDOUT) return DeadlineExceeded(std::move(msg));
  return Unavailable(std::move(msg));
}

// Waits for the non-blocking connect on `fd` to finish, at the latest at `deadline`.
Result<Duration> FinishConnect(int fd, const std::string& peer, Clock::time_point start,
                               Clock::time_point deadline) {
  while (true) {
    const auto now = Clock::now();
    if (now >= deadline) {
      return DeadlineExceeded("connect " + peer + ": no answer within the detection timeout");
    }
    // Round up so we never wake just before the deadline and spin.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    pollfd pfd{fd, POLLOUT, 0};
    const int rc = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return Internal("poll " + peer + ": " + std::strerror(errno));
    }
    if (rc == 0) continue;  // re-check the deadline
    const Duration rtt = Clock::now() - start;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return ConnectError(peer, err);
    return rtt;
  }
}

class TcpConnector final : public Connector {
 public:
  Result<Duration> TimeConnect(const std::string& peer, Clock::time_point deadline) override {
    Result<HostPort> hp = SplitHostPort(peer);
    if (!hp.ok()) return hp.status();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* addrs = nullptr;
    const int gai = ::getaddrinfo(hp->host.c_str(), hp->port.c_str(), &hints, &addrs);
    if (gai != 0) {
      std::string msg = "resolve " + peer + ": " + ::gai_strerror(gai);
      if (gai == EAI_AGAIN) return Unavailable(std::move(msg));
      return NotFound(std::move(msg));
    }
    // Try each address in turn (e.g. IPv6 then IPv4); the first that answers is the RTT.
    Status last = Unavailable("connect " + peer + ": no address");
    for (const addrinfo* a = addrs; a != nullptr; a = a->ai_next) {
      Result<Duration> rtt = ConnectOne(peer, *a, deadline);
      if (rtt.ok()) {
        ::freeaddrinfo(addrs);
        return rtt;
      }
      last = rtt.status();
      if (last.code() == ErrorCode::kDeadlineExceeded) break;
    }
    ::freeaddrinfo(addrs);
    return last;
  }

 private:
  static Result<Duration> ConnectOne(const std::string& peer, const addrinfo& addr,
                                     Clock::time_point deadline) {
    const int fd =
        ::socket(addr.ai_family, addr.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, addr.ai_protocol);
    if (fd < 0) return Unavailable("socket for " + peer + ": " + std::strerror(errno));
    FdCloser closer(fd);
    const auto start = Clock::now();
    if (::connect(fd, addr.ai_addr, addr.ai_addrlen) == 0) return Clock::now() - start;
    if (errno != EINPROGRESS) return ConnectError(peer, errno);
    return FinishConnect(fd, peer, start, deadline);
  }
};

}  // namespace

Result<HostPort> SplitHostPort(std::string_view peer) {
  auto invalid = [&](std::string_view why) {
    return InvalidArgument("peer '" + std::string(peer) + "': " + std::string(why));
  };
  HostPort hp;
  std::string_view port;
  if (!peer.empty() && peer.front() == '[') {
    const auto close = peer.find(']');
    if (close == std::string_view::npos) return invalid("missing ']' after IPv6 address");
    hp.host = std::string(peer.substr(1, close - 1));
    if (close + 1 >= peer.size() || peer[close + 1] != ':') return invalid("expected ]:port");
    port = peer.substr(close + 2);
  } else {
    const auto colon = peer.rfind(':');
    if (colon == std::string_view::npos) return invalid("expected host:port");
    hp.host = std::string(peer.substr(0, colon));
    if (hp.host.find(':') != std::string::npos) {
      return invalid("IPv6 addresses need brackets: [addr]:port");
    }
    port = peer.substr(colon + 1);
  }
  if (hp.host.empty()) return invalid("empty host");
  int number = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || number < 1 ||
      number > 65535) {
    return invalid("port must be 1..65535");
  }
  hp.port = std::string(port);
  return hp;
}

std::shared_ptr<Connector> MakeTcpConnector() { return std::make_shared<TcpConnector>(); }

}  // namespace novacron::dwcp
