// Small OpenSSL helpers shared by the TLS code: owning pointers, the error queue as text, PEM
// files, the private-key permission rule and atomic file writes (docs/security.md).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/types.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace novacron::security {

struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Drains OpenSSL's error queue of this thread into one line ("error:...; error:..."), or
// "unknown OpenSSL error" when it is empty.
std::string OpenSslErrors();

std::string BioToString(BIO* bio);

// The first certificate of the PEM file at `path`.
Result<X509Ptr> ReadCertificatePem(const std::string& path);
// Serializes to PEM.
std::string CertificateToPem(X509* cert);
std::string PrivateKeyToPem(EVP_PKEY* key);

// Refuses a private key file that group or others may read or write:
// "security.tls.key_file /etc/novacron/server.key is readable by group or others (mode 0644):
// chmod 600 /etc/novacron/server.key". `what` names the setting ("security.tls.key_file").
Status CheckPrivateKeyFileMode(const std::string& path, const std::string& what);

}  // namespace novacron::security
