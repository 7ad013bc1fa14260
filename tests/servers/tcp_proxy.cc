#include "servers/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace novacron::testing {
namespace {

int ConnectLoopback(const std::string& host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string HostOf(const std::string& target) { return target.substr(0, target.rfind(':')); }
int PortOf(const std::string& target) { return std::stoi(target.substr(target.rfind(':') + 1)); }

}  // namespace

// One proxied connection: a thread copying both ways until either side closes or the link is cut.
struct TcpProxy::Link {
  int client = -1;
  int server = -1;
  std::atomic<bool> closed{false};
  std::thread pump;

  void Close() {
    if (closed.exchange(true)) return;
    ::shutdown(client, SHUT_RDWR);
    ::shutdown(server, SHUT_RDWR);
  }
  void Pump() {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    char buf[16384];
    while (!closed.load()) {
      if (::poll(fds, 2, 200) < 0) break;
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
        if (n <= 0) {
          done = true;
          break;
        }
        const int to = fds[1 - i].fd;
        for (ssize_t sent = 0; sent < n;) {
          ssize_t w = ::send(to, buf + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
          if (w <= 0) {
            done = true;
            break;
          }
          sent += w;
        }
      }
      if (done) break;
    }
    Close();
  }
  ~Link() {
    Close();
    if (pump.joinable()) pump.join();
    ::close(client);
    ::close(server);
  }
};

TcpProxy::TcpProxy(std::string target)
    : target_host_(HostOf(target)), target_port_(PortOf(target)) {}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  std::lock_guard lock(mu_);
  links_.clear();
}

Status TcpProxy::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Internal(std::string("listen on 127.0.0.1:0: ") + std::strerror(errno));
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return {};
}

std::string TcpProxy::Endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

void TcpProxy::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (cut_.load()) {
      ::close(client);  // the link is down: refused
      continue;
    }
    int server = ConnectLoopback(target_host_, target_port_);
    if (server < 0) {
      ::close(client);
      continue;
    }
    auto link = std::make_shared<Link>();
    link->client = client;
    link->server = server;
    std::lock_guard lock(mu_);
    // Forget the links that ended (their threads have returned or are returning).
    std::erase_if(links_, [](const std::shared_ptr<Link>& l) { return l->closed.load(); });
    links_.push_back(link);
    link->pump = std::thread([raw = link.get()] { raw->Pump(); });
  }
}

void TcpProxy::Cut() {
  cut_ = true;
  std::vector<std::shared_ptr<Link>> links;
  {
    std::lock_guard lock(mu_);
    links.swap(links_);
  }
  for (auto& link : links) link->Close();
}

void TcpProxy::Heal() { cut_ = false; }

}  // namespace novacron::testing
