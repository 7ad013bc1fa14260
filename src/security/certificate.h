// X.509 certificates as NovaCron reads them: what `novacron cert show` prints, the expiry the
// metric and `novacron check` watch, and the mTLS identity of a verified peer (docs/security.md,
// "mTLS identities").
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::security {

struct CertificateInfo {
  std::string subject;            // RFC 2253 form: "CN=admin,O=admin"
  std::string issuer;             // same form
  std::vector<std::string> sans;  // "DNS:host", "IP:127.0.0.1", "IP:::1"
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  bool is_ca = false;

  // Seconds from `now` until not_after; negative once expired.
  int64_t SecondsToExpiry(
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;
};

// The first certificate of a PEM file. Fails naming `path` when it is missing or not PEM.
Result<CertificateInfo> ReadCertificateInfo(const std::string& path);
CertificateInfo DescribeCertificate(X509* cert);

// Roles an mTLS identity may carry in an O= attribute (same names as the token roles).
inline constexpr const char* kCertificateRoles[] = {"viewer", "operator", "admin"};

// Who a verified client certificate names, Kubernetes style: identity = the subject's CN, roles =
// the subject's O= values that are role names (viewer, operator, admin); other O= values are
// ignored. Without a CN the identity is the first DNS SAN, else empty.
struct PeerIdentity {
  std::string identity;
  std::vector<std::string> roles;
};
PeerIdentity ExtractPeerIdentity(X509* cert);

// "2026-12-03T12:00:00Z"
std::string FormatUtc(std::chrono::system_clock::time_point t);

}  // namespace novacron::security
