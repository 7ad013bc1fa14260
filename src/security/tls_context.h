// TLS contexts for NovaCron's listeners and clients (docs/security.md, "TLS"): OpenSSL 3 through
// boost::asio::ssl::context. One policy everywhere: TLS 1.2 minimum (1.3 preferred), ECDHE with
// AEAD ciphers only, no compression, no renegotiation, X25519/P-256/P-384. The API listener uses
// the server context today; node-to-node links will use both sides.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/status.h"
#include "security/session_ticket_keys.h"

namespace novacron::security {

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// TLS 1.2 cipher list: forward secrecy (ECDHE) and AEAD (AES-GCM, ChaCha20-Poly1305) only.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
inline constexpr const char* kTls13Ciphersuites =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
inline constexpr const char* kTlsGroups = "X25519:P-256:P-384";

struct TlsServerOptions {
  std::string cert_file{};           // PEM: the certificate, then intermediates
  std::string key_file{};            // PEM private key; refused when group or others may read it
  std::string ca_file{};             // PEM CAs that client certificates must chain to (mTLS)
  bool require_client_cert = false;  // mTLS: a handshake without a valid client cert fails
  // How error messages name the files: "<prefix>.cert_file /path: ...".
  std::string setting_prefix = "security.tls";
};

// A server context from `options`. `tickets` encrypts session tickets (shared across reloads so
// tickets survive them); it must outlive the context. Null disables tickets.
Result<SslContextPtr> BuildServerContext(const TlsServerOptions& options,
                                         SessionTicketKeys* tickets);

struct TlsClientOptions {
  std::string ca_file{};               // PEM CAs the server must chain to; empty = the system store
  std::string cert_file{};             // optional client certificate (mTLS)
  std::string key_file{};              // its key; required with cert_file
  std::string setting_prefix = "tls";  // how messages name the files ("--cacert" etc. by CLI)
  std::string ca_name = "ca_file";
  std::string cert_name = "cert_file";
  std::string key_name = "key_file";
};

Result<SslContextPtr> BuildClientContext(const TlsClientOptions& options);

// Before a client handshake: sends SNI (names only) and makes verification check that the
// peer certificate is for `host` (a DNS name or an IP literal).
Status SetExpectedPeer(SSL* ssl, const std::string& host);

}  // namespace novacron::security
