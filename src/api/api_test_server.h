// Test harness: the API v1 routes on a real HttpServer (port 0) and a client to call them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "api/api_v1.h"
#include "http/client.h"
#include "http/server.h"

namespace novacron::api::testing {

inline constexpr size_t kTestMaxBodyBytes = 64 << 10;

class ApiServer {
 public:
  explicit ApiServer(const ApiV1Deps& deps) {
    http::Router router;
    AddApiV1Routes(router, deps);
    http::ServerOptions options;  // member by member: ServerOptions grows (tls, ...)
    options.port = 0;
    // Handlers on their own threads, as in the daemon; a single I/O thread, so that a handler
    // blocking it would show in every other request.
    options.threads = 1;
    options.handler_threads = 4;
    options.max_body_bytes = kTestMaxBodyBytes;
    server_ = std::make_unique<http::HttpServer>(options, std::move(router));
    Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
  }
  ~ApiServer() { server_->Stop(std::chrono::seconds(5)); }

  http::ClientResponse Call(std::string method, std::string target, std::string body = "",
                            http::Headers headers = {}) const {
    http::ClientRequest request;
    request.port = server_->port();
    request.method = std::move(method);
    request.target = std::move(target);
    request.headers = std::move(headers);
    if (!body.empty() && !request.headers.Has("Content-Type")) {
      request.headers.Set("Content-Type", "application/json");
    }
    request.body = std::move(body);
    Result<http::ClientResponse> response = http::HttpRequest(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : http::ClientResponse{};
  }

  uint16_t port() const { return server_->port(); }

 private:
  std::unique_ptr<http::HttpServer> server_;
};

// The parsed body; an empty object when it is not JSON (the test then fails on its fields).
inline nlohmann::json Body(const http::ClientResponse& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

}  // namespace novacron::api::testing
