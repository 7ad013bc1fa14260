// Test helpers for the TLS code: a throwaway PKI in a temp dir, a loopback TLS server that
// answers each handshaken client with the peer identity it saw, and a configurable client.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "security/openssl_util.h"
#include "security/tls_context_source.h"

namespace novacron::security::testing {

// Certificates in a fresh temp dir (removed by the destructor): a CA, a server certificate for
// 127.0.0.1/localhost, an admin client certificate, and a second unrelated CA with its own
// client certificate.
struct TestPki {
  TestPki();
  ~TestPki();
  std::string dir{};
  std::string ca_cert{}, server_cert{}, server_key{}, client_cert{}, client_key{};
  std::string other_ca_cert{}, other_client_cert{}, other_client_key{};
  // Issues another server certificate signed by the CA into dir/<name>.crt/.key.
  void IssueServer(const std::string& name, const std::string& common_name);

 private:
  X509Ptr ca_x509_;
  PkeyPtr ca_key_;
};

// Accepts connections on 127.0.0.1 in a thread; each handshake uses source->Current(), then the
// server reads one line and answers "<identity>|<roles comma separated>\n".
class LoopbackTlsServer {
 public:
  explicit LoopbackTlsServer(std::shared_ptr<TlsContextSource> source);
  ~LoopbackTlsServer();
  uint16_t port() const { return port_; }
  int handshakes_ok() const { return handshakes_ok_.load(); }

 private:
  void Serve();
  std::shared_ptr<TlsContextSource> source_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_ok_{0};
  std::thread thread_;
};

struct ClientSpec {
  int min_version = TLS1_2_VERSION;
  int max_version = 0;    // 0 = highest
  std::string ca_file{};  // empty: no verification
  std::string cert_file{}, key_file{};
  std::string expect_host{};  // when set, hostname/IP check
  bool allow_legacy = false;  // SECLEVEL 0, so this client can even offer TLS 1.1
  // When set, sent instead of "hello\n", and everything is read until the connection ends
  // (ClientOutcome::received, close_notify) instead of one line.
  std::string send{};
};

struct ClientOutcome {
  bool ok = false;        // handshake done and the server's answer read
  std::string error{};    // why not
  std::string version{};  // "TLSv1.3"
  std::string answer{};   // the server's line
  std::string server_subject{};
  std::string received{};     // with ClientSpec::send: all the server sent
  bool close_notify = false;  // with ClientSpec::send: the server ended with a TLS close_notify
};

ClientOutcome ConnectClient(uint16_t port, const ClientSpec& spec);

}  // namespace novacron::security::testing
