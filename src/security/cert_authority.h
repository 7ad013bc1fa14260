// Issuing X.509 certificates with EC P-256 keys: the development PKI of `novacron cert init`
// (a CA, a server certificate for this node's names and addresses, an admin client certificate)
// and the certificates tests need (docs/security.md, "Certificates").
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "security/openssl_util.h"

namespace novacron::security {

Result<PkeyPtr> GenerateP256Key();

enum class CertificateUsage { kCa, kServer, kClient };

struct CertificateRequest {
  std::string common_name{};
  std::vector<std::string> organizations{};  // O= values; for client certs, the roles
  std::vector<std::string> sans{};           // host names or IP literals
  int days = 365;
  CertificateUsage usage = CertificateUsage::kServer;
  // Seconds to move not_before back (clock skew); tests use negative days for expired ones.
  long backdate_seconds = 300;
};

// Signs `request` for `subject_key` with `issuer` (cert and key); self-signed when issuer_cert
// is null (then issuer_key must be subject_key).
Result<X509Ptr> IssueCertificate(const CertificateRequest& request, EVP_PKEY* subject_key,
                                 X509* issuer_cert, EVP_PKEY* issuer_key);

struct DevPkiOptions {
  std::string dir{};
  std::vector<std::string> extra_sans{};  // --san
  int days = 365;                         // server and client certificates; the CA gets 10 years
  bool force = false;                     // overwrite existing files
};

struct DevPkiFiles {
  std::string ca_cert{}, ca_key{}, server_cert{}, server_key{}, client_cert{}, client_key{};
  std::vector<std::string> server_sans{};
};

// The names a server certificate for this node covers: the host name, localhost, 127.0.0.1,
// ::1, then `extra` (deduplicated).
std::vector<std::string> NodeSans(const std::vector<std::string>& extra);

// Writes ca.crt/ca.key, server.crt/server.key, client.crt/client.key (CN=admin, O=admin) into
// options.dir (created 0700 when missing). Keys 0600, certificates 0644, each written
// atomically. Refuses, before writing anything, when one of them exists and !force.
Result<DevPkiFiles> CreateDevPki(const DevPkiOptions& options);

}  // namespace novacron::security
