// The HTTP server over TLS with the real OpenSSL stack: HTTPS exchanges through http::HttpRequest,
// mTLS identities reaching handlers, refused clients, reload while serving.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "http/client.h"
#include "http/server.h"
#include "http/test_util.h"
#include "security/tls_context_source.h"
#include "security/tls_test_util.h"

namespace novacron::http {
namespace {

using security::TlsContextSource;
using security::testing::TestPki;

Router IdentityRouter() {
  Router router;
  router.Get("/whoami", [](const Request& r) {
    std::string roles;
    for (const std::string& role : r.peer_roles) roles += (roles.empty() ? "" : ",") + role;
    return Response::Text(200, r.peer_identity + "|" + roles);
  });
  return router;
}

std::shared_ptr<TlsContextSource> Source(const TestPki& pki, bool mtls) {
  auto source = TlsContextSource::Create({.cert_file = pki.server_cert,
                                          .key_file = pki.server_key,
                                          .ca_file = mtls ? pki.ca_cert : "",
                                          .require_client_cert = mtls});
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? *source : nullptr;
}

ClientRequest Get(uint16_t port, ClientTlsOptions tls) {
  ClientRequest request;
  request.port = port;
  request.target = "/whoami";
  request.tls = std::move(tls);
  return request;
}

TEST(ServerTlsTest, HttpsRequestWithoutClientCertificateHasNoPeerIdentity) {
  TestPki pki;
  ServerOptions options;
  options.tls = Source(pki, false);
  ASSERT_NE(options.tls, nullptr);
  HttpServer server(options, IdentityRouter());
  ASSERT_TRUE(server.Start().ok());
  auto response = HttpRequest(Get(server.port(), {.ca_file = pki.ca_cert}));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "|");
}

TEST(ServerTlsTest, MtlsIdentityAndRolesReachTheHandler) {
  TestPki pki;
  ServerOptions options;
  options.tls = Source(pki, true);
  ASSERT_NE(options.tls, nullptr);
  HttpServer server(options, IdentityRouter());
  ASSERT_TRUE(server.Start().ok());
  auto response = HttpRequest(
      Get(server.port(),
          {.ca_file = pki.ca_cert, .cert_file = pki.client_cert, .key_file = pki.client_key}));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "alice|operator");

  auto anonymous = HttpRequest(Get(server.port(), {.ca_file = pki.ca_cert}));
  EXPECT_FALSE(anonymous.ok());
  auto foreign = HttpRequest(Get(server.port(), {.ca_file = pki.ca_cert,
                                                 .cert_file = pki.other_client_cert,
                                                 .key_file = pki.other_client_key}));
  EXPECT_FALSE(foreign.ok());
  EXPECT_GE(server.stats().tls_handshake_failures, 1u);
}

TEST(ServerTlsTest, ClientRefusesServerOfAnotherCaOrName) {
  TestPki pki;
  ServerOptions options;
  options.tls = Source(pki, false);
  ASSERT_NE(options.tls, nullptr);
  HttpServer server(options, IdentityRouter());
  ASSERT_TRUE(server.Start().ok());
  auto wrong_ca = HttpRequest(Get(server.port(), {.ca_file = pki.other_ca_cert}));
  ASSERT_FALSE(wrong_ca.ok());
  EXPECT_EQ(wrong_ca.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(wrong_ca.status().message().find("certificate verify failed"), std::string::npos)
      << wrong_ca.status().message();
  auto wrong_name =
      HttpRequest(Get(server.port(), {.ca_file = pki.ca_cert, .server_name = "example.org"}));
  ASSERT_FALSE(wrong_name.ok());
  EXPECT_NE(wrong_name.status().message().find("certificate verify failed"), std::string::npos)
      << wrong_name.status().message();
}

TEST(ServerTlsTest, PlainHttpToTlsListenerFailsAndServerGoesOn) {
  TestPki pki;
  ServerOptions options;
  options.tls = Source(pki, false);
  ASSERT_NE(options.tls, nullptr);
  HttpServer server(options, IdentityRouter());
  ASSERT_TRUE(server.Start().ok());
  ClientRequest plain;
  plain.port = server.port();
  plain.target = "/whoami";
  auto response = HttpRequest(plain);
  EXPECT_FALSE(response.ok() && response->status == 200);
  auto https = HttpRequest(Get(server.port(), {.ca_file = pki.ca_cert}));
  ASSERT_TRUE(https.ok()) << https.status().ToString();
  EXPECT_EQ(https->status, 200);
}

TEST(ServerTlsTest, ServerEndsTheConnectionWithCloseNotify) {
  // Without close_notify a client cannot tell a complete response from a truncated one.
  TestPki pki;
  ServerOptions options;
  options.tls = Source(pki, false);
  ASSERT_NE(options.tls, nullptr);
  options.handler_threads = 2;
  HttpServer server(options, IdentityRouter());
  ASSERT_TRUE(server.Start().ok());
  security::testing::ClientSpec spec;
  spec.ca_file = pki.ca_cert;
  spec.send = "GET /whoami HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  security::testing::ClientOutcome outcome = security::testing::ConnectClient(server.port(), spec);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << outcome.received;
  EXPECT_TRUE(outcome.close_notify);
}

TEST(ServerTlsTest, SilentClientIsClosedAfterReadTimeout) {
  TestPki pki;
  ServerOptions options;
  options.tls = Source(pki, false);
  ASSERT_NE(options.tls, nullptr);
  options.read_timeout = std::chrono::seconds(1);
  HttpServer server(options, IdentityRouter());
  ASSERT_TRUE(server.Start().ok());
  auto client = testing::RawClient::Connect(server.port());
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->WaitForClose());  // bounded by RawClient's 20 s receive timeout
}

TEST(ServerTlsTest, ReloadUnderLoadFailsNoRequest) {
  TestPki pki;
  ServerOptions options;
  options.tls = Source(pki, false);
  ASSERT_NE(options.tls, nullptr);
  HttpServer server(options, IdentityRouter());
  ASSERT_TRUE(server.Start().ok());
  pki.IssueServer("a", "server-a");
  pki.IssueServer("b", "server-b");

  // A bounded client loop; certificates are swapped and reloaded for as long as it runs.
  std::atomic<bool> done{false};
  std::atomic<int> ok{0};
  std::vector<std::string> failures;
  std::thread clients([&] {
    for (int i = 0; i < 150; ++i) {
      auto r = HttpRequest(Get(server.port(), {.ca_file = pki.ca_cert}));
      if (r.ok() && r->status == 200) {
        ++ok;
      } else {
        failures.push_back(r.ok() ? std::to_string(r->status) : r.status().ToString());
      }
    }
    done = true;
  });
  int reloads = 0;
  for (int i = 0; !done; ++i) {
    std::string next = pki.dir + (i % 2 == 0 ? "/a" : "/b");
    auto copy = std::filesystem::copy_options::overwrite_existing;
    // Each file is replaced atomically; a reload that reads the new key with the old
    // certificate fails and keeps the old context, which must not fail a request either.
    std::filesystem::copy_file(next + ".key", pki.server_key + ".new", copy);
    std::filesystem::rename(pki.server_key + ".new", pki.server_key);
    std::filesystem::copy_file(next + ".crt", pki.server_cert + ".new", copy);
    std::filesystem::rename(pki.server_cert + ".new", pki.server_cert);
    if (options.tls->Reload().ok()) ++reloads;
  }
  clients.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(reloads, 0);
}

}  // namespace
}  // namespace novacron::http
