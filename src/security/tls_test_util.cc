// Test helpers for the TLS code: a temp PKI, a loopback TLS server, a configurable client.
#include "security/tls_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "common/atomic_file.h"
#include "security/cert_authority.h"
#include "security/certificate.h"
#include "security/openssl_util.h"

namespace novacron::security::testing {
namespace {

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return std::move(r).value();
}

void Write(const std::string& path, const std::string& content, mode_t mode) {
  Status s = WriteFileAtomically(path, content, {.mode = mode, .overwrite = true});
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

struct Ca {
  X509Ptr cert;
  PkeyPtr key;
};

Ca MakeCa(const std::string& name) {
  Ca ca;
  ca.key = Must(GenerateP256Key());
  CertificateRequest req{.common_name = name, .days = 30, .usage = CertificateUsage::kCa};
  ca.cert = Must(IssueCertificate(req, ca.key.get(), nullptr, ca.key.get()));
  return ca;
}

void Issue(const Ca& ca, const CertificateRequest& req, const std::string& cert_path,
           const std::string& key_path) {
  PkeyPtr key = Must(GenerateP256Key());
  X509Ptr cert = Must(IssueCertificate(req, key.get(), ca.cert.get(), ca.key.get()));
  Write(key_path, PrivateKeyToPem(key.get()), 0600);
  Write(cert_path, CertificateToPem(cert.get()), 0644);
}

void SetTimeout(int fd) {
  timeval tv{.tv_sec = 20, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string ReadLine(SSL* ssl) {
  std::string line;
  char c;
  while (SSL_read(ssl, &c, 1) == 1) {
    if (c == '\n') return line;
    line.push_back(c);
  }
  return line;
}

}  // namespace

TestPki::TestPki() {
  char tmpl[] = "/tmp/novacron-tls-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir = tmpl;
  Ca ca = MakeCa("Test CA");
  ca_cert = dir + "/ca.crt";
  Write(ca_cert, CertificateToPem(ca.cert.get()), 0644);
  server_cert = dir + "/server.crt";
  server_key = dir + "/server.key";
  Issue(ca,
        {.common_name = "localhost",
         .sans = {"localhost", "127.0.0.1"},
         .usage = CertificateUsage::kServer},
        server_cert, server_key);
  client_cert = dir + "/client.crt";
  client_key = dir + "/client.key";
  Issue(ca,
        {.common_name = "alice",
         .organizations = {"operator", "team-blue"},
         .usage = CertificateUsage::kClient},
        client_cert, client_key);
  Ca other = MakeCa("Other CA");
  other_ca_cert = dir + "/other-ca.crt";
  Write(other_ca_cert, CertificateToPem(other.cert.get()), 0644);
  other_client_cert = dir + "/other-client.crt";
  other_client_key = dir + "/other-client.key";
  Issue(other,
        {.common_name = "mallory", .organizations = {"admin"}, .usage = CertificateUsage::kClient},
        other_client_cert, other_client_key);
  ca_x509_ = std::move(ca.cert);
  ca_key_ = std::move(ca.key);
}

TestPki::~TestPki() {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

void TestPki::IssueServer(const std::string& name, const std::string& common_name) {
  Ca ca{X509Ptr(X509_dup(ca_x509_.get())), nullptr};
  EVP_PKEY_up_ref(ca_key_.get());
  ca.key.reset(ca_key_.get());
  Issue(ca,
        {.common_name = common_name,
         .sans = {"localhost", "127.0.0.1"},
         .usage = CertificateUsage::kServer},
        dir + "/" + name + ".crt", dir + "/" + name + ".key");
}

LoopbackTlsServer::LoopbackTlsServer(std::shared_ptr<TlsContextSource> source)
    : source_(std::move(source)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

LoopbackTlsServer::~LoopbackTlsServer() {
  stop_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  thread_.join();
  ::close(listen_fd_);
}

void LoopbackTlsServer::Serve() {
  while (!stop_) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stop_) return;
      continue;
    }
    SetTimeout(fd);
    SslContextPtr context = source_->Current();
    SSL* ssl = SSL_new(context->native_handle());
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      ++handshakes_ok_;
      ReadLine(ssl);
      X509* peer = SSL_get0_peer_certificate(ssl);
      PeerIdentity id = ExtractPeerIdentity(peer);
      std::string answer = id.identity + "|";
      for (size_t i = 0; i < id.roles.size(); ++i) answer += (i ? "," : "") + id.roles[i];
      answer += "\n";
      SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
      SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    ::close(fd);
  }
}

ClientOutcome ConnectClient(uint16_t port, const ClientSpec& spec) {
  ClientOutcome out;
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, spec.min_version);
  if (spec.max_version != 0) SSL_CTX_set_max_proto_version(ctx, spec.max_version);
  if (spec.allow_legacy) SSL_CTX_set_security_level(ctx, 0);
  if (!spec.ca_file.empty()) {
    SSL_CTX_load_verify_locations(ctx, spec.ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (!spec.cert_file.empty()) {
    SSL_CTX_use_certificate_chain_file(ctx, spec.cert_file.c_str());
    SSL_CTX_use_PrivateKey_file(ctx, spec.key_file.c_str(), SSL_FILETYPE_PEM);
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  SetTimeout(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  SSL* ssl = SSL_new(ctx);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    out.error = "connect failed";
  } else {
    SSL_set_fd(ssl, fd);
    if (!spec.expect_host.empty()) (void)SetExpectedPeer(ssl, spec.expect_host);
    if (SSL_connect(ssl) != 1) {
      out.error = "handshake: " + OpenSslErrors();
    } else {
      out.version = SSL_get_version(ssl);
      if (X509* server = SSL_get0_peer_certificate(ssl)) {
        out.server_subject = DescribeCertificate(server).subject;
      }
      if (!spec.send.empty()) {
        SSL_write(ssl, spec.send.data(), static_cast<int>(spec.send.size()));
        char chunk[4096];
        int n;
        while ((n = SSL_read(ssl, chunk, sizeof chunk)) > 0) out.received.append(chunk, n);
        // ZERO_RETURN: the peer's close_notify; SYSCALL/SSL: the TCP stream ended without one.
        out.close_notify = SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN;
        out.ok = !out.received.empty();
      } else {
        SSL_write(ssl, "hello\n", 6);
        out.answer = ReadLine(ssl);
        // TLS 1.3 rejects a client certificate after the client's handshake finished: only an
        // answer proves the server accepted us.
        out.ok = !out.answer.empty();
      }
      if (!out.ok) out.error = "no answer: " + OpenSslErrors();
    }
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(ctx);
  return out;
}

}  // namespace novacron::security::testing
