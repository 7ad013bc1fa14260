// Server TLS contexts over loopback with real OpenSSL clients: protocol versions, mTLS, reload.
#include "security/tls_context.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "security/tls_context_source.h"
#include "security/tls_test_util.h"

namespace novacron::security {
namespace {

using testing::ClientSpec;
using testing::ConnectClient;
using testing::LoopbackTlsServer;
using testing::TestPki;

TlsServerOptions ServerOptions(const TestPki& pki, bool mtls = false) {
  return {.cert_file = pki.server_cert,
          .key_file = pki.server_key,
          .ca_file = mtls ? pki.ca_cert : "",
          .require_client_cert = mtls};
}

std::shared_ptr<TlsContextSource> MustCreate(TlsServerOptions options) {
  auto source = TlsContextSource::Create(std::move(options));
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? *source : nullptr;
}

TEST(TlsContextTest, Tls13IsPreferredAndServerIsVerified) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  auto out = ConnectClient(server.port(), {.ca_file = pki.ca_cert, .expect_host = "127.0.0.1"});
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.version, "TLSv1.3");
  EXPECT_EQ(out.server_subject, "CN=localhost");
}

TEST(TlsContextTest, Tls12WithAeadCipherSucceeds) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  auto out = ConnectClient(server.port(), {.max_version = TLS1_2_VERSION, .ca_file = pki.ca_cert});
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.version, "TLSv1.2");
}

TEST(TlsContextTest, Tls11IsRefused) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  auto out = ConnectClient(
      server.port(),
      {.min_version = TLS1_VERSION, .max_version = TLS1_1_VERSION, .allow_legacy = true});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(server.handshakes_ok(), 0);
}

TEST(TlsContextTest, WrongHostnameFailsClientVerification) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  auto out = ConnectClient(server.port(), {.ca_file = pki.ca_cert, .expect_host = "example.org"});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.error.find("certificate verify failed"), std::string::npos) << out.error;
}

TEST(TlsContextTest, MtlsAcceptsClientOfTheCaAndReportsIdentity) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki, /*mtls=*/true));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  auto out = ConnectClient(
      server.port(),
      {.ca_file = pki.ca_cert, .cert_file = pki.client_cert, .key_file = pki.client_key});
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.answer, "alice|operator");  // "team-blue" is not a role
}

TEST(TlsContextTest, MtlsRefusesClientWithoutCertificate) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki, true));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    auto out = ConnectClient(server.port(), {.max_version = version, .ca_file = pki.ca_cert});
    EXPECT_FALSE(out.ok) << "max version " << version;
  }
  EXPECT_EQ(server.handshakes_ok(), 0);
}

TEST(TlsContextTest, MtlsRefusesClientCertificateFromAnotherCa) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki, true));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    auto out = ConnectClient(server.port(), {.max_version = version,
                                             .ca_file = pki.ca_cert,
                                             .cert_file = pki.other_client_cert,
                                             .key_file = pki.other_client_key});
    EXPECT_FALSE(out.ok) << "max version " << version;
  }
  EXPECT_EQ(server.handshakes_ok(), 0);
}

TEST(TlsContextTest, KeyReadableByOthersIsRefusedNamingTheFix) {
  TestPki pki;
  ASSERT_EQ(::chmod(pki.server_key.c_str(), 0644), 0);
  auto source = TlsContextSource::Create(ServerOptions(pki));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(source.status().message().find("security.tls.key_file " + pki.server_key),
            std::string::npos)
      << source.status().message();
  EXPECT_NE(source.status().message().find("chmod 600 " + pki.server_key), std::string::npos);
}

TEST(TlsContextTest, MissingFilesAndMismatchedKeyNameTheFile) {
  TestPki pki;
  TlsServerOptions missing = ServerOptions(pki);
  missing.cert_file = pki.dir + "/nope.crt";
  auto a = TlsContextSource::Create(missing);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("security.tls.cert_file " + missing.cert_file),
            std::string::npos)
      << a.status().message();

  TlsServerOptions mismatched = ServerOptions(pki);
  mismatched.key_file = pki.client_key;
  auto b = TlsContextSource::Create(mismatched);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("does not match"), std::string::npos) << b.status().message();

  TlsServerOptions no_ca = ServerOptions(pki);
  no_ca.require_client_cert = true;
  auto c = TlsContextSource::Create(no_ca);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("security.tls.ca_file"), std::string::npos);
}

TEST(TlsContextTest, ReloadSwapsCertificateAndBadReloadKeepsTheOld) {
  TestPki pki;
  auto source = MustCreate(ServerOptions(pki));
  ASSERT_NE(source, nullptr);
  LoopbackTlsServer server(source);
  SslContextPtr first = source->Current();

  // A good new certificate: new connections see it.
  pki.IssueServer("next", "renewed");
  std::filesystem::copy_file(pki.dir + "/next.crt", pki.server_cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(pki.dir + "/next.key", pki.server_key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(source->Reload().ok());
  EXPECT_NE(source->Current(), first);
  auto renewed = ConnectClient(server.port(), {.ca_file = pki.ca_cert});
  ASSERT_TRUE(renewed.ok) << renewed.error;
  EXPECT_EQ(renewed.server_subject, "CN=renewed");

  // A broken certificate: Reload fails naming the file, the renewed context stays in use.
  SslContextPtr good = source->Current();
  { std::ofstream(pki.server_cert, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\ngarbage\n"; }
  Status bad = source->Reload();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find(pki.server_cert), std::string::npos) << bad.message();
  EXPECT_EQ(source->Current(), good);
  EXPECT_EQ(source->certificate().subject, "CN=renewed");
  auto still = ConnectClient(server.port(), {.ca_file = pki.ca_cert});
  ASSERT_TRUE(still.ok) << still.error;
  EXPECT_EQ(still.server_subject, "CN=renewed");
}

TEST(TlsContextTest, ClientContextVerifiesServerAndRefusesHalfAClientIdentity) {
  TestPki pki;
  auto ok = BuildClientContext(
      {.ca_file = pki.ca_cert, .cert_file = pki.client_cert, .key_file = pki.client_key});
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  auto half = BuildClientContext({.ca_file = pki.ca_cert, .cert_file = pki.client_cert});
  EXPECT_FALSE(half.ok());
  auto bad_ca = BuildClientContext({.ca_file = pki.dir + "/missing.pem", .ca_name = "--cacert"});
  ASSERT_FALSE(bad_ca.ok());
  EXPECT_NE(bad_ca.status().message().find("--cacert"), std::string::npos);
}

}  // namespace
}  // namespace novacron::security
