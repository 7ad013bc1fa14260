// Building server and client SSL contexts with the NovaCron TLS policy (docs/security.md).
#include "security/tls_context.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include "security/openssl_util.h"

namespace novacron::security {
namespace {

namespace ssl = boost::asio::ssl;

// The parts of the policy both sides share.
Status ApplyPolicy(SSL_CTX* ctx, const std::string& what) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Ciphersuites) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kTlsGroups) != 1) {
    return Internal(what + ": OpenSSL refused the cipher policy: " + OpenSslErrors());
  }
  return Status::Ok();
}

Status LoadCertificateAndKey(SSL_CTX* ctx, const std::string& cert_what,
                             const std::string& cert_file, const std::string& key_what,
                             const std::string& key_file) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return InvalidArgument(cert_what + " " + cert_file +
                           ": cannot load the PEM certificate chain: " + OpenSslErrors());
  }
  NOVACRON_RETURN_IF_ERROR(CheckPrivateKeyFileMode(key_file, key_what));
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    std::string errors = OpenSslErrors();
    if (errors.find("key values mismatch") != std::string::npos) {
      return InvalidArgument(key_what + " " + key_file + " does not match the certificate " +
                             cert_file + " (" + cert_what + ")");
    }
    return InvalidArgument(key_what + " " + key_file +
                           ": cannot load the PEM private key: " + errors);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgument(key_what + " " + key_file + " does not match the certificate " +
                           cert_file + ": " + OpenSslErrors());
  }
  return Status::Ok();
}

Status LoadCa(SSL_CTX* ctx, const std::string& what, const std::string& ca_file) {
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return InvalidArgument(what + " " + ca_file +
                           ": cannot load the PEM CA certificates: " + OpenSslErrors());
  }
  return Status::Ok();
}

}  // namespace

Result<SslContextPtr> BuildServerContext(const TlsServerOptions& options,
                                         SessionTicketKeys* tickets) {
  const std::string& p = options.setting_prefix;
  if (options.cert_file.empty() || options.key_file.empty()) {
    return InvalidArgument(p + ".cert_file and " + p + ".key_file are both required for TLS");
  }
  if (options.require_client_cert && options.ca_file.empty()) {
    return InvalidArgument(p + ".ca_file is required to verify client certificates (mTLS)");
  }
  ERR_clear_error();
  try {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* ctx = context->native_handle();
    NOVACRON_RETURN_IF_ERROR(ApplyPolicy(ctx, p));
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Resumed sessions must stay bound to this service (required with client verification).
    static const unsigned char kSessionContext[] = "novacron";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
    NOVACRON_RETURN_IF_ERROR(LoadCertificateAndKey(ctx, p + ".cert_file", options.cert_file,
                                                   p + ".key_file", options.key_file));
    if (!options.ca_file.empty()) {
      NOVACRON_RETURN_IF_ERROR(LoadCa(ctx, p + ".ca_file", options.ca_file));
    }
    if (options.require_client_cert) {
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.ca_file.c_str());
      if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    } else {
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    }
    if (tickets != nullptr) {
      SessionTicketKeys::Install(ctx, tickets);
    } else {
      SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    ERR_clear_error();
    return context;
  } catch (const std::exception& e) {  // boost::system::system_error from the constructor
    return Internal(p + ": cannot create a TLS context: " + e.what());
  }
}

Result<SslContextPtr> BuildClientContext(const TlsClientOptions& options) {
  const std::string& p = options.setting_prefix;
  ERR_clear_error();
  try {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* ctx = context->native_handle();
    NOVACRON_RETURN_IF_ERROR(ApplyPolicy(ctx, p));
    if (options.ca_file.empty()) {
      SSL_CTX_set_default_verify_paths(ctx);
    } else {
      NOVACRON_RETURN_IF_ERROR(LoadCa(ctx, options.ca_name, options.ca_file));
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!options.cert_file.empty() || !options.key_file.empty()) {
      if (options.cert_file.empty() || options.key_file.empty()) {
        return InvalidArgument(options.cert_name + " and " + options.key_name +
                               " go together: give both or neither");
      }
      NOVACRON_RETURN_IF_ERROR(LoadCertificateAndKey(ctx, options.cert_name, options.cert_file,
                                                     options.key_name, options.key_file));
    }
    ERR_clear_error();
    return context;
  } catch (const std::exception& e) {
    return Internal(p + ": cannot create a TLS context: " + e.what());
  }
}

Status SetExpectedPeer(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      return InvalidArgument("cannot verify the server as IP address " + host);
    }
    return Status::Ok();
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, host.c_str()) != 1 || SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    ERR_clear_error();
    return InvalidArgument("cannot verify the server as host name '" + host + "'");
  }
  return Status::Ok();
}

}  // namespace novacron::security
