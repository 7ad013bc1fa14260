// Reading X.509 certificates with OpenSSL 3: subject, issuer, SANs, validity, mTLS identity.
#include "security/certificate.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

#include "security/openssl_util.h"

namespace novacron::security {
namespace {

std::string NameToString(const X509_NAME* name) {
  if (name == nullptr) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioToString(bio.get());
}

std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string IpToString(const ASN1_OCTET_STRING* ip) {
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  char buf[INET6_ADDRSTRLEN];
  if ((len == 4 && inet_ntop(AF_INET, p, buf, sizeof buf) != nullptr) ||
      (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf) != nullptr)) {
    return buf;
  }
  return "?";
}

std::string AsnString(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

std::vector<std::string> SubjectValues(X509* cert, int nid) {
  std::vector<std::string> values;
  const X509_NAME* name = X509_get_subject_name(cert);
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (len >= 0) values.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return values;
}

}  // namespace

int64_t CertificateInfo::SecondsToExpiry(std::chrono::system_clock::time_point now) const {
  return std::chrono::duration_cast<std::chrono::seconds>(not_after - now).count();
}

CertificateInfo DescribeCertificate(X509* cert) {
  CertificateInfo info;
  info.subject = NameToString(X509_get_subject_name(cert));
  info.issuer = NameToString(X509_get_issuer_name(cert));
  info.not_before = ToTimePoint(X509_get0_notBefore(cert));
  info.not_after = ToTimePoint(X509_get0_notAfter(cert));
  info.is_ca = X509_check_ca(cert) != 0;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) info.sans.push_back("DNS:" + AsnString(gn->d.dNSName));
    if (gn->type == GEN_IPADD) info.sans.push_back("IP:" + IpToString(gn->d.iPAddress));
    if (gn->type == GEN_EMAIL) info.sans.push_back("email:" + AsnString(gn->d.rfc822Name));
    if (gn->type == GEN_URI) {
      info.sans.push_back("URI:" + AsnString(gn->d.uniformResourceIdentifier));
    }
  }
  GENERAL_NAMES_free(names);
  return info;
}

Result<CertificateInfo> ReadCertificateInfo(const std::string& path) {
  NOVACRON_ASSIGN_OR_RETURN(X509Ptr cert, ReadCertificatePem(path));
  return DescribeCertificate(cert.get());
}

PeerIdentity ExtractPeerIdentity(X509* cert) {
  PeerIdentity peer;
  if (cert == nullptr) return peer;
  std::vector<std::string> cns = SubjectValues(cert, NID_commonName);
  if (!cns.empty()) {
    peer.identity = cns.front();
  } else {
    for (const std::string& san : DescribeCertificate(cert).sans) {
      if (san.rfind("DNS:", 0) == 0) {
        peer.identity = san.substr(4);
        break;
      }
    }
  }
  for (const std::string& org : SubjectValues(cert, NID_organizationName)) {
    bool is_role = std::any_of(std::begin(kCertificateRoles), std::end(kCertificateRoles),
                               [&](const char* role) { return org == role; });
    if (is_role && std::find(peer.roles.begin(), peer.roles.end(), org) == peer.roles.end()) {
      peer.roles.push_back(org);
    }
  }
  return peer;
}

std::string FormatUtc(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace novacron::security
