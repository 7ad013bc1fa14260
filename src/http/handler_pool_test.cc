// Handlers on a pool (ServerOptions::handler_threads): a stuck handler holds up only its own
// request; a full queue answers 503; probes picked by handle_on_io_thread skip the pool; Stop()
// drops what is still queued.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/client.h"
#include "http/server.h"
#include "http/test_util.h"

namespace novacron::http {
namespace {

using testing::Gate;
using testing::RawClient;
using testing::SimpleRequest;

// /stuck waits for `release` (counting entries in `entered`); /hello and /health answer at once.
struct StuckRouter {
  std::shared_ptr<Gate> release = std::make_shared<Gate>();
  std::shared_ptr<std::atomic<int>> entered = std::make_shared<std::atomic<int>>(0);

  Router Make() const {
    Router router;
    router.Post("/stuck", [release = release, entered = entered](const Request&) {
      ++*entered;
      release->Wait();
      return Response::Text(200, "late");
    });
    router.Get("/hello", [](const Request&) { return Response::Text(200, "hello"); });
    router.Get("/health", [](const Request&) { return Response::Text(200, "ok"); });
    return router;
  }
};

// Polls `done` for up to 20 s: the pool's threads run at their own pace.
template <typename Predicate>
bool WaitFor(Predicate done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

std::unique_ptr<RawClient> SendStuck(uint16_t port) {
  auto client = RawClient::Connect(port);
  if (client) client->Send(SimpleRequest("POST", "/stuck", "Content-Length: 0\r\n"));
  return client;
}

// With one handler thread: a /stuck request running on it and another waiting in the queue.
struct BusyPool {
  std::unique_ptr<RawClient> running;
  std::unique_ptr<RawClient> queued;
};

BusyPool Occupy(const HttpServer& server, const StuckRouter& routes) {
  BusyPool busy;
  busy.running = SendStuck(server.port());
  EXPECT_TRUE(WaitFor([&] { return routes.entered->load() == 1; }));
  busy.queued = SendStuck(server.port());
  EXPECT_TRUE(WaitFor([&] { return server.stats().queued_requests == 1; }));
  return busy;
}

TEST(HandlerPoolTest, StuckHandlerDoesNotHoldUpTheIoThread) {
  StuckRouter routes;
  ServerOptions options;
  options.threads = 1;  // one I/O thread: without the pool, /stuck would block /hello
  options.handler_threads = 2;
  HttpServer server(options, routes.Make());
  ASSERT_TRUE(server.Start().ok());
  auto stuck = SendStuck(server.port());
  ASSERT_NE(stuck, nullptr);
  ASSERT_TRUE(WaitFor([&] { return routes.entered->load() == 1; }));

  auto other = RawClient::Connect(server.port());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Send(SimpleRequest("GET", "/hello")));
  std::optional<testing::RawResponse> hello = other->ReadResponse();
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->status, 200);
  EXPECT_EQ(hello->body, "hello");

  routes.release->Open();
  std::optional<testing::RawResponse> late = stuck->ReadResponse();
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->body, "late");
}

TEST(HandlerPoolTest, FullQueueAnswers503WithRetryAfterAndKeepsTheConnection) {
  StuckRouter routes;
  ServerOptions options;
  options.handler_threads = 1;
  options.max_queued_requests = 1;
  HttpServer server(options, routes.Make());
  ASSERT_TRUE(server.Start().ok());
  BusyPool busy = Occupy(server, routes);
  ASSERT_FALSE(::testing::Test::HasFailure());

  auto refused = SendStuck(server.port());
  ASSERT_NE(refused, nullptr);
  std::optional<testing::RawResponse> answer = refused->ReadResponse();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 503);
  EXPECT_EQ(answer->headers.Get("Retry-After"), "1");
  EXPECT_EQ(answer->headers.Get("Content-Type"), "application/problem+json");
  EXPECT_EQ(server.stats().busy_rejections, 1u);
  EXPECT_EQ(routes.entered->load(), 1);  // the refused request never reached its handler

  routes.release->Open();
  for (RawClient* client : {busy.running.get(), busy.queued.get()}) {
    std::optional<testing::RawResponse> response = client->ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
  // The refused client's connection stays usable once there is room.
  ASSERT_TRUE(refused->Send(SimpleRequest("GET", "/hello")));
  std::optional<testing::RawResponse> hello = refused->ReadResponse();
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->status, 200);
  EXPECT_EQ(server.stats().queued_requests, 0);
}

TEST(HandlerPoolTest, RequestsPickedForTheIoThreadSkipABusyPool) {
  StuckRouter routes;
  ServerOptions options;
  options.handler_threads = 1;
  options.max_queued_requests = 1;
  options.handle_on_io_thread = [](const Request& request) { return request.path == "/health"; };
  HttpServer server(options, routes.Make());
  ASSERT_TRUE(server.Start().ok());
  BusyPool busy = Occupy(server, routes);
  ASSERT_FALSE(::testing::Test::HasFailure());

  auto probe = RawClient::Connect(server.port());
  ASSERT_NE(probe, nullptr);
  ASSERT_TRUE(probe->Send(SimpleRequest("GET", "/health")));
  std::optional<testing::RawResponse> health = probe->ReadResponse();
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  // /hello is not picked: with the pool full it is refused.
  ASSERT_TRUE(probe->Send(SimpleRequest("GET", "/hello")));
  std::optional<testing::RawResponse> hello = probe->ReadResponse();
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->status, 503);
  routes.release->Open();
}

TEST(HandlerPoolTest, StopDropsQueuedRequestsAndReturnsWhileAHandlerIsStuck) {
  StuckRouter routes;
  ServerOptions options;
  options.handler_threads = 1;
  auto server = std::make_unique<HttpServer>(options, routes.Make());
  ASSERT_TRUE(server->Start().ok());
  BusyPool busy = Occupy(*server, routes);
  ASSERT_FALSE(::testing::Test::HasFailure());

  auto start = std::chrono::steady_clock::now();
  server->Stop(std::chrono::milliseconds(300));
  server.reset();  // the stuck pool thread keeps the internals alive, not the caller
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(busy.queued->WaitForClose());  // closed without an answer
  EXPECT_TRUE(busy.queued->pending().empty()) << busy.queued->pending();
  routes.release->Open();  // the stuck handler returns into a stopped server
  EXPECT_TRUE(busy.running->WaitForClose());
  // The queued request never ran, even after the pool thread came free.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(routes.entered->load(), 1);
}

TEST(HandlerPoolTest, BadPoolOptionsAreRefused) {
  ServerOptions options;
  options.handler_threads = -1;
  EXPECT_FALSE(HttpServer(options, Router()).Start().ok());
  options.handler_threads = 2;
  options.max_queued_requests = 0;
  EXPECT_FALSE(HttpServer(options, Router()).Start().ok());
}

}  // namespace
}  // namespace novacron::http
