// Protocol errors, limits and timeouts of HttpServer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "http/client.h"
#include "http/server.h"
#include "http/server_internal.h"
#include "http/test_util.h"

namespace novacron::http {
namespace {

using ::testing::HasSubstr;
using testing::RawClient;
using testing::RawResponse;
using testing::SimpleRequest;

Router EchoRouter() {
  Router router;
  router.Post("/echo", [](const Request& r) { return Response::Text(200, r.body); });
  router.Get("/hello", [](const Request&) { return Response::Text(200, "hello"); });
  router.Get("/bad-header", [](const Request&) {
    Response response = Response::Text(200, "x");
    response.headers.Add("X-Split", "a\r\nSet-Cookie: evil=1");
    return response;
  });
  router.Get("/close", [](const Request&) {
    Response response = Response::Text(200, "bye");
    response.headers.Add("Connection", "close");
    return response;
  });
  return router;
}

class LimitsTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    if (options.max_body_bytes == ServerOptions{}.max_body_bytes) options.max_body_bytes = 1024;
    server_ = std::make_unique<HttpServer>(options, EchoRouter());
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    port_ = server_->port();
  }

  // Sends `bytes` on a fresh connection and expects one problem+json response with `status`,
  // followed by the server closing the connection.
  void ExpectProtocolError(std::string_view bytes, int status) {
    auto client = RawClient::Connect(port_);
    ASSERT_NE(client, nullptr);
    ASSERT_TRUE(client->Send(bytes));
    std::optional<RawResponse> response = client->ReadResponse();
    ASSERT_TRUE(response.has_value()) << "no response to " << bytes.substr(0, 60);
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->headers.Get("Content-Type"), "application/problem+json");
    EXPECT_EQ(response->headers.Get("Connection"), "close");
    nlohmann::json body;
    ASSERT_NO_THROW(body = nlohmann::json::parse(response->body)) << response->body;
    EXPECT_EQ(body["status"], status);
    EXPECT_TRUE(body["title"].is_string());
    EXPECT_TRUE(body["detail"].is_string());
    EXPECT_TRUE(body["type"].is_string());
    EXPECT_TRUE(client->WaitForClose());
  }

  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(LimitsTest, BodyOverLimitIs413) {
  StartServer();
  ClientRequest request;
  request.port = port_;
  request.method = "POST";
  request.target = "/echo";
  request.body = std::string(1025, 'b');
  auto response = HttpRequest(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Content-Type"), "application/problem+json");
  EXPECT_THAT(nlohmann::json::parse(response->body)["detail"].get<std::string>(),
              HasSubstr("1024 bytes"));

  request.body.resize(1024);  // exactly the limit is fine
  response = HttpRequest(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server_->stats().protocol_errors, 1u);
}

TEST_F(LimitsTest, LargeBodySentAnywayStillGets413) {
  StartServer();
  // The client sends a multi-megabyte body without waiting: the server answers early and
  // lingers, so the client reads the 413 instead of a connection reset.
  ClientRequest request;
  request.port = port_;
  request.method = "POST";
  request.target = "/echo";
  request.body = std::string(8 << 20, 'b');
  auto response = HttpRequest(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 413);
}

TEST_F(LimitsTest, ChunkedBodyOverLimitIs413) {
  StartServer();
  std::string chunk(600, 'c');
  ExpectProtocolError(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
          chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n",
      413);
}

TEST_F(LimitsTest, ChunkedBodyWithinLimitIsDelivered) {
  StartServer();
  auto client = RawClient::Connect(port_);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(
      client->Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto response = client->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world");
}

TEST_F(LimitsTest, HugeHeadersAre431) {
  StartServer();
  ExpectProtocolError(
      SimpleRequest("GET", "/hello", "X-Big: " + std::string(20 << 10, 'h') + "\r\n"), 431);
  ExpectProtocolError("GET /" + std::string(20 << 10, 'p') + " HTTP/1.1\r\n\r\n", 431);
}

TEST_F(LimitsTest, GarbageIs400) {
  StartServer();
  ExpectProtocolError("\x01\x02\x03 garbage\xff\r\n\r\n", 400);
  ExpectProtocolError("GET /hello HTTP/1.1\r\nBad Header Line\r\n\r\n", 400);
  ExpectProtocolError("GET http://example.com/hello HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectProtocolError("POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                      400);
  // Request smuggling: both framings at once.
  ExpectProtocolError(
      "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      400);
}

TEST_F(LimitsTest, UnknownMethodIs501AndBadVersionIs505) {
  StartServer();
  ExpectProtocolError("BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n", 501);
  ExpectProtocolError("GET /hello HTTP/2.0\r\nHost: t\r\n\r\n", 505);
  ExpectProtocolError("GET /hello HTTX/1.1\r\nHost: t\r\n\r\n", 400);
}

TEST_F(LimitsTest, ExpectContinueGets100BeforeTheBody) {
  StartServer();
  auto client = RawClient::Connect(port_);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = client->ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client->Send("data"));
  auto final_response = client->ReadResponse();
  ASSERT_TRUE(final_response.has_value());
  EXPECT_EQ(final_response->status, 200);
  EXPECT_EQ(final_response->body, "data");
}

TEST_F(LimitsTest, ExpectContinueOverLimitGets413WithoutContinue) {
  StartServer();
  ExpectProtocolError(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
      413);
}

TEST_F(LimitsTest, InvalidResponseHeaderBecomes500) {
  StartServer();
  ClientRequest request;
  request.port = port_;
  request.target = "/bad-header";
  auto response = HttpRequest(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->Header("Set-Cookie"), "");
  EXPECT_THAT(response->body, HasSubstr("X-Split"));
}

TEST_F(LimitsTest, HandlerCanCloseTheConnection) {
  StartServer();
  auto client = RawClient::Connect(port_);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send(SimpleRequest("GET", "/close")));
  auto response = client->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "bye");
  EXPECT_EQ(response->headers.Get("Connection"), "close");
  EXPECT_TRUE(client->WaitForClose());
}

TEST_F(LimitsTest, IdleConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  StartServer(options);
  auto client = RawClient::Connect(port_);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send(SimpleRequest("GET", "/hello")));
  ASSERT_TRUE(client->ReadResponse().has_value());
  // The receive timeout (20 s) is far above the idle timeout: closing is the behaviour tested.
  EXPECT_TRUE(client->WaitForClose());
}

TEST_F(LimitsTest, SlowRequestIsClosedAfterReadTimeout) {
  ServerOptions options;
  options.read_timeout = std::chrono::seconds(1);
  StartServer(options);
  auto client = RawClient::Connect(port_);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("GET /hello HTTP/1.1\r\nHost: t\r\n"));  // never finished
  EXPECT_TRUE(client->WaitForClose());
  EXPECT_EQ(server_->stats().timeouts, 1u);
}

TEST_F(LimitsTest, ConnectionsBeyondTheLimitAreRefused) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  auto first = RawClient::Connect(port_);
  auto second = RawClient::Connect(port_);
  ASSERT_TRUE(first && second);
  // Make sure both are accepted and counted before the third arrives.
  for (auto* client : {first.get(), second.get()}) {
    ASSERT_TRUE(client->Send(SimpleRequest("GET", "/hello")));
    ASSERT_TRUE(client->ReadResponse().has_value());
  }
  auto third = RawClient::Connect(port_);
  ASSERT_NE(third, nullptr);  // the kernel accepts; the server answers 503 and closes
  std::optional<RawResponse> response = third->ReadResponse();
  if (response) {
    EXPECT_EQ(response->status, 503);
  }
  EXPECT_TRUE(third->WaitForClose());
  EXPECT_EQ(server_->stats().connections_rejected, 1u);

  first.reset();  // a slot frees up
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    auto again = RawClient::Connect(port_);
    if (again && again->Send(SimpleRequest("GET", "/hello"))) {
      auto r = again->ReadResponse();
      served = r && r->status == 200;
    }
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
  // still answering the old one
  ASSERT_TRUE(second->Send(SimpleRequest("GET", "/hello")));
  auto still = second->ReadResponse();
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(still->status, 200);
}

TEST_F(LimitsTest, ConnectionsPerClientAddressAreCapped) {
  ServerOptions options;
  options.max_connections_per_client = 2;
  StartServer(options);
  auto first = RawClient::Connect(port_);
  auto second = RawClient::Connect(port_);
  ASSERT_TRUE(first && second);
  for (auto* client : {first.get(), second.get()}) {
    ASSERT_TRUE(client->Send(SimpleRequest("GET", "/hello")));
    ASSERT_TRUE(client->ReadResponse().has_value());
  }
  auto third = RawClient::Connect(port_);
  ASSERT_NE(third, nullptr);
  std::optional<RawResponse> refused = third->ReadResponse();
  if (refused) {
    EXPECT_EQ(refused->status, 503);
  }
  EXPECT_TRUE(third->WaitForClose());
  EXPECT_EQ(server_->stats().connections_rejected, 1u);

  // Raised while running (SIGHUP): the next connection from the same address is served.
  server_->SetMaxConnectionsPerClient(3);
  auto fourth = RawClient::Connect(port_);
  ASSERT_NE(fourth, nullptr);
  ASSERT_TRUE(fourth->Send(SimpleRequest("GET", "/hello")));
  std::optional<RawResponse> served = fourth->ReadResponse();
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->status, 200);
}

TEST(ClientKeyTest, StripsThePort) {
  EXPECT_EQ(internal::ClientKey("10.0.0.1:4242"), "10.0.0.1");
  EXPECT_EQ(internal::ClientKey("[::1]:80"), "[::1]");
  EXPECT_EQ(internal::ClientKey("unknown"), "unknown");
}

TEST(ClientTallyTest, CountsPerClientAndForgetsClosedOnes) {
  internal::ClientTally tally;
  EXPECT_TRUE(tally.TryAdd("a", 1));
  EXPECT_FALSE(tally.TryAdd("a", 1));
  EXPECT_TRUE(tally.TryAdd("b", 1));
  EXPECT_TRUE(tally.TryAdd("a", 0));  // no limit: still counted
  tally.Remove("a");
  tally.Remove("a");
  EXPECT_TRUE(tally.TryAdd("a", 1));
}

}  // namespace
}  // namespace novacron::http
