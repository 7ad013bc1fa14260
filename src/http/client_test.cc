#include "http/client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace novacron::http {
namespace {

using ::testing::HasSubstr;

// A listening socket on 127.0.0.1 that the test drives by hand.
class RawListener {
 public:
  RawListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~RawListener() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int Accept() { return accept(fd_, nullptr, nullptr); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(HttpClientTest, ConnectionRefusedNamesTheAddress) {
  RawListener listener;
  uint16_t port = listener.port();
  listener.Close();  // nothing listens there now
  ClientRequest request;
  request.port = port;
  auto response = HttpRequest(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(response.status().message(),
            "cannot connect to 127.0.0.1:" + std::to_string(port) + ": connection refused");
  EXPECT_TRUE(response.status().retriable());
}

TEST(HttpClientTest, SilentServerIsDeadlineExceeded) {
  RawListener listener;  // the kernel completes the handshake; nobody ever answers
  ClientRequest request;
  request.port = listener.port();
  request.target = "/health";
  request.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto response = HttpRequest(request);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(response.status().message(), HasSubstr("GET http://127.0.0.1:"));
  EXPECT_THAT(response.status().message(),
              HasSubstr("/health: no complete response within 300 ms"));
  EXPECT_GE(took, std::chrono::milliseconds(290));  // the timeout itself is the behaviour
  EXPECT_LT(took, std::chrono::seconds(20));
}

void ServeOnce(RawListener& listener, std::string reply) {
  int fd = listener.Accept();
  if (fd < 0) return;
  char buffer[4096];
  std::string received;
  while (received.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
  close(fd);
}

TEST(HttpClientTest, ParsesResponse) {
  RawListener listener;
  std::thread server(ServeOnce, std::ref(listener),
                     "HTTP/1.1 201 Created\r\nX-Id: 7\r\nContent-Length: 2\r\n\r\nok");
  ClientRequest request;
  request.port = listener.port();
  auto response = HttpRequest(request);
  server.join();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->Header("x-id"), "7");
  EXPECT_EQ(response->body, "ok");
}

TEST(HttpClientTest, GarbageResponseIsInternal) {
  RawListener listener;
  std::thread server(ServeOnce, std::ref(listener), "SSH-2.0-OpenSSH\r\n\r\n");
  ClientRequest request;
  request.port = listener.port();
  auto response = HttpRequest(request);
  server.join();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(response.status().message(), HasSubstr("malformed response"));
}

TEST(HttpClientTest, ClosedWithoutAnswerIsUnavailable) {
  RawListener listener;
  std::thread server(ServeOnce, std::ref(listener), "");
  ClientRequest request;
  request.port = listener.port();
  auto response = HttpRequest(request);
  server.join();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kUnavailable);
}

TEST(HttpClientTest, ResponseBodyOverLimitIsResourceExhausted) {
  for (std::string framing :
       {"Content-Length: 100\r\n\r\n" + std::string(100, 'x'),
        "Transfer-Encoding: chunked\r\n\r\n64\r\n" + std::string(100, 'x') + "\r\n0\r\n\r\n"}) {
    RawListener listener;
    std::thread server(ServeOnce, std::ref(listener), "HTTP/1.1 200 OK\r\n" + framing);
    ClientRequest request;
    request.port = listener.port();
    request.max_response_body_bytes = 10;
    auto response = HttpRequest(request);
    server.join();
    ASSERT_FALSE(response.ok()) << framing;
    EXPECT_EQ(response.status().code(), ErrorCode::kResourceExhausted);
    EXPECT_THAT(response.status().message(), HasSubstr("exceeds 10 bytes"));
  }
}

TEST(HttpClientTest, RejectsRequestsThatWouldBeMisframed) {
  ClientRequest request;
  request.port = 1;
  request.target = "/a b";
  EXPECT_EQ(HttpRequest(request).status().code(), ErrorCode::kInvalidArgument);
  request.target = "http://x/";
  EXPECT_EQ(HttpRequest(request).status().code(), ErrorCode::kInvalidArgument);
  request.target = "/";
  request.method = "GET /x";
  EXPECT_EQ(HttpRequest(request).status().code(), ErrorCode::kInvalidArgument);
  request.method = "GET";
  request.headers.Add("X", "a\r\nInjected: 1");
  EXPECT_EQ(HttpRequest(request).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace novacron::http
