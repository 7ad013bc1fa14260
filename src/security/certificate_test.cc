// Certificate info, mTLS identities and the development PKI of `novacron cert init`.
#include "security/certificate.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "common/atomic_file.h"
#include "security/cert_authority.h"
#include "security/openssl_util.h"
#include "security/tls_context_source.h"
#include "security/tls_test_util.h"

namespace novacron::security {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/novacron-pki-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

TEST(CertificateTest, InfoNamesSubjectIssuerSansAndExpiry) {
  testing::TestPki pki;
  auto info = ReadCertificateInfo(pki.server_cert);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->subject, "CN=localhost");
  EXPECT_EQ(info->issuer, "CN=Test CA");
  EXPECT_TRUE(Contains(info->sans, "DNS:localhost"));
  EXPECT_TRUE(Contains(info->sans, "IP:127.0.0.1"));
  EXPECT_FALSE(info->is_ca);
  int64_t left = info->SecondsToExpiry();
  EXPECT_GT(left, 364 * 86400);
  EXPECT_LE(left, 365 * 86400);
}

TEST(CertificateTest, NotPemNamesTheFile) {
  TempDir dir;
  std::string path = dir.path + "/x.crt";
  ASSERT_TRUE(WriteFileAtomically(path, "hello\n", {.mode = 0644, .overwrite = true}).ok());
  auto info = ReadCertificateInfo(path);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find(path), std::string::npos);
  auto missing = ReadCertificateInfo(dir.path + "/none.crt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

TEST(CertificateTest, PeerIdentityIsCnAndRoleOrganizations) {
  auto key = GenerateP256Key();
  ASSERT_TRUE(key.ok());
  auto cert = IssueCertificate({.common_name = "bob",
                                .organizations = {"viewer", "staff", "admin", "viewer"},
                                .usage = CertificateUsage::kClient},
                               key->get(), nullptr, key->get());
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  PeerIdentity id = ExtractPeerIdentity(cert->get());
  EXPECT_EQ(id.identity, "bob");
  EXPECT_EQ(id.roles, (std::vector<std::string>{"viewer", "admin"}));
  EXPECT_TRUE(ExtractPeerIdentity(nullptr).identity.empty());
}

TEST(CertificateTest, PeerWithoutCnUsesFirstDnsSan) {
  auto key = GenerateP256Key();
  ASSERT_TRUE(key.ok());
  auto cert = IssueCertificate({.common_name = "", .sans = {"10.0.0.1", "node7.example"}},
                               key->get(), nullptr, key->get());
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  PeerIdentity id = ExtractPeerIdentity(cert->get());
  EXPECT_EQ(id.identity, "node7.example");
  EXPECT_TRUE(id.roles.empty());
}

TEST(CertificateTest, BadSanIsRefused) {
  auto key = GenerateP256Key();
  ASSERT_TRUE(key.ok());
  auto cert =
      IssueCertificate({.common_name = "x", .sans = {"a,b"}}, key->get(), nullptr, key->get());
  ASSERT_FALSE(cert.ok());
  EXPECT_NE(cert.status().message().find("'a,b'"), std::string::npos);
}

TEST(CertificateTest, DevPkiWritesUsableFilesWithPrivateKeys) {
  TempDir dir;
  std::string pki_dir = dir.path + "/pki";
  auto files = CreateDevPki({.dir = pki_dir, .extra_sans = {"node1.example", "10.1.2.3"}});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(pki_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const std::string& key : {files->ca_key, files->server_key, files->client_key}) {
    ASSERT_EQ(::stat(key.c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
  auto server = ReadCertificateInfo(files->server_cert);
  ASSERT_TRUE(server.ok());
  for (const char* san :
       {"DNS:localhost", "IP:127.0.0.1", "IP:::1", "DNS:node1.example", "IP:10.1.2.3"}) {
    EXPECT_TRUE(Contains(server->sans, san)) << san;
  }
  auto ca = ReadCertificateInfo(files->ca_cert);
  ASSERT_TRUE(ca.ok());
  EXPECT_TRUE(ca->is_ca);
  EXPECT_EQ(server->issuer, ca->subject);

  // The files work together: a server with mTLS accepts the generated admin client.
  auto source = TlsContextSource::Create({.cert_file = files->server_cert,
                                          .key_file = files->server_key,
                                          .ca_file = files->ca_cert,
                                          .require_client_cert = true});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  testing::LoopbackTlsServer listener(*source);
  auto out = testing::ConnectClient(listener.port(), {.ca_file = files->ca_cert,
                                                      .cert_file = files->client_cert,
                                                      .key_file = files->client_key,
                                                      .expect_host = "127.0.0.1"});
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.answer, "admin|admin");
}

TEST(CertificateTest, DevPkiRefusesToOverwriteWithoutForce) {
  TempDir dir;
  ASSERT_TRUE(CreateDevPki({.dir = dir.path}).ok());
  auto before = ReadCertificateInfo(dir.path + "/ca.crt");
  ASSERT_TRUE(before.ok());
  auto again = CreateDevPki({.dir = dir.path});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("--force"), std::string::npos);
  auto forced = CreateDevPki({.dir = dir.path, .force = true});
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  auto tmp_left = std::count_if(
      std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator(),
      [](const auto& e) { return e.path().string().find(".tmp") != std::string::npos; });
  EXPECT_EQ(tmp_left, 0);
}

TEST(CertificateTest, DevPkiRefusesBadDays) {
  TempDir dir;
  auto r = CreateDevPki({.dir = dir.path + "/x", .days = 0});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--days"), std::string::npos);
}

}  // namespace
}  // namespace novacron::security
