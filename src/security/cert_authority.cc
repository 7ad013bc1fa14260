// A small certificate authority on OpenSSL 3: P-256 keys, X.509 v3 certificates with the
// extensions TLS clients check (basic constraints, key usage, EKU, SAN, key identifiers).
#include "security/cert_authority.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include "common/atomic_file.h"

namespace novacron::security {
namespace {

bool IsIpLiteral(const std::string& s) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(s, ec);
  return !ec;
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (ext == nullptr) {
    return InvalidArgument("bad certificate extension " + std::string(OBJ_nid2sn(nid)) + "=" +
                           value + ": " + OpenSslErrors());
  }
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return Internal("cannot add certificate extension: " + OpenSslErrors());
  return Status::Ok();
}

Status CheckSan(const std::string& san) {
  bool bad = san.empty() || san.size() > 253 ||
             (san.find_first_of(", \t\r\n:/") != std::string::npos && !IsIpLiteral(san));
  if (bad) {
    return InvalidArgument("--san '" + san +
                           "' is neither a host name nor an IP address (e.g. node1.example.com, "
                           "10.0.0.5)");
  }
  return Status::Ok();
}

}  // namespace

Result<PkeyPtr> GenerateP256Key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal("cannot generate an EC P-256 key: " + OpenSslErrors());
  return key;
}

Result<X509Ptr> IssueCertificate(const CertificateRequest& request, EVP_PKEY* subject_key,
                                 X509* issuer_cert, EVP_PKEY* issuer_key) {
  for (const std::string& san : request.sans) NOVACRON_RETURN_IF_ERROR(CheckSan(san));
  ERR_clear_error();
  X509Ptr cert(X509_new());
  if (!cert) return Internal("X509_new failed");
  X509_set_version(cert.get(), X509_VERSION_3);
  // 159 random bits: positive and unique without a serial database.
  BIGNUM* serial = BN_new();
  BN_rand(serial, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -request.backdate_seconds);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), request.days, 0, nullptr);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const std::string& org : request.organizations) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  }
  if (!request.common_name.empty()) {
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(request.common_name.c_str()),
                               -1, -1, 0);
  }
  X509_set_issuer_name(cert.get(), issuer_cert ? X509_get_subject_name(issuer_cert) : name);
  X509_set_pubkey(cert.get(), subject_key);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer_cert ? issuer_cert : cert.get(), cert.get(), nullptr, nullptr, 0);
  bool ca = request.usage == CertificateUsage::kCa;
  NOVACRON_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints,
                                        ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE"));
  NOVACRON_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_key_usage,
                   ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"));
  if (!ca) {
    NOVACRON_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_ext_key_usage,
                     request.usage == CertificateUsage::kServer ? "serverAuth" : "clientAuth"));
  }
  NOVACRON_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (issuer_cert != nullptr) {
    NOVACRON_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  }
  if (!request.sans.empty()) {
    std::string sans;
    for (const std::string& san : request.sans) {
      if (!sans.empty()) sans += ",";
      sans += (IsIpLiteral(san) ? "IP:" : "DNS:") + san;
    }
    NOVACRON_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_alt_name, sans));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return Internal("cannot sign the certificate for " + request.common_name + ": " +
                    OpenSslErrors());
  }
  return cert;
}

std::vector<std::string> NodeSans(const std::vector<std::string>& extra) {
  std::vector<std::string> sans;
  auto add = [&](const std::string& s) {
    if (!s.empty() && std::find(sans.begin(), sans.end(), s) == sans.end()) sans.push_back(s);
  };
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) == 0) add(host);
  for (const char* s : {"localhost", "127.0.0.1", "::1"}) add(s);
  for (const std::string& s : extra) add(s);
  return sans;
}

Result<DevPkiFiles> CreateDevPki(const DevPkiOptions& options) {
  namespace fs = std::filesystem;
  if (options.dir.empty()) return InvalidArgument("--dir is required");
  if (options.days < 1 || options.days > 3650) {
    return InvalidArgument("--days " + std::to_string(options.days) + " is not in [1, 3650]");
  }
  for (const std::string& san : options.extra_sans) NOVACRON_RETURN_IF_ERROR(CheckSan(san));
  fs::path dir(options.dir);
  DevPkiFiles files;
  files.ca_cert = (dir / "ca.crt").string();
  files.ca_key = (dir / "ca.key").string();
  files.server_cert = (dir / "server.crt").string();
  files.server_key = (dir / "server.key").string();
  files.client_cert = (dir / "client.crt").string();
  files.client_key = (dir / "client.key").string();
  files.server_sans = NodeSans(options.extra_sans);
  if (!options.force) {
    for (const std::string* f : {&files.ca_cert, &files.ca_key, &files.server_cert,
                                 &files.server_key, &files.client_cert, &files.client_key}) {
      std::error_code ec;
      if (fs::exists(*f, ec)) {
        return AlreadyExists(*f + " already exists; use --force to overwrite the certificates in " +
                             options.dir);
      }
    }
  }
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(options.dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Internal("cannot create " + options.dir + ": " + std::strerror(errno));
    }
  }

  NOVACRON_ASSIGN_OR_RETURN(PkeyPtr ca_key, GenerateP256Key());
  CertificateRequest ca_request{.common_name = "NovaCron development CA",
                                .organizations = {"NovaCron"},
                                .days = 3650,
                                .usage = CertificateUsage::kCa};
  NOVACRON_ASSIGN_OR_RETURN(X509Ptr ca,
                            IssueCertificate(ca_request, ca_key.get(), nullptr, ca_key.get()));
  NOVACRON_ASSIGN_OR_RETURN(PkeyPtr server_key, GenerateP256Key());
  CertificateRequest server_request{.common_name = files.server_sans.front(),
                                    .sans = files.server_sans,
                                    .days = options.days,
                                    .usage = CertificateUsage::kServer};
  NOVACRON_ASSIGN_OR_RETURN(
      X509Ptr server, IssueCertificate(server_request, server_key.get(), ca.get(), ca_key.get()));
  NOVACRON_ASSIGN_OR_RETURN(PkeyPtr client_key, GenerateP256Key());
  CertificateRequest client_request{.common_name = "admin",
                                    .organizations = {"admin"},
                                    .days = options.days,
                                    .usage = CertificateUsage::kClient};
  NOVACRON_ASSIGN_OR_RETURN(
      X509Ptr client, IssueCertificate(client_request, client_key.get(), ca.get(), ca_key.get()));

  // Keys first: a certificate on disk never points at a key that is not there yet.
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(files.ca_key, PrivateKeyToPem(ca_key.get()),
                                               {.mode = 0600, .overwrite = true}));
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(files.ca_cert, CertificateToPem(ca.get()),
                                               {.mode = 0644, .overwrite = true}));
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(files.server_key, PrivateKeyToPem(server_key.get()),
                                               {.mode = 0600, .overwrite = true}));
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(files.server_cert, CertificateToPem(server.get()),
                                               {.mode = 0644, .overwrite = true}));
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(files.client_key, PrivateKeyToPem(client_key.get()),
                                               {.mode = 0600, .overwrite = true}));
  NOVACRON_RETURN_IF_ERROR(WriteFileAtomically(files.client_cert, CertificateToPem(client.get()),
                                               {.mode = 0644, .overwrite = true}));
  return files;
}

}  // namespace novacron::security
