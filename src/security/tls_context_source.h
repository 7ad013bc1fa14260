// The server TLS context in effect, swappable at run time (docs/security.md, "TLS"). A listener
// asks Current() for each accepted connection; Reload() builds a new context from the same
// files and swaps it in, or keeps the old one and says why. Open connections keep the context
// they started with, so a reload drops neither the listener nor a connection.
#pragma once

#include <memory>
#include <mutex>

#include "common/status.h"
#include "security/certificate.h"
#include "security/session_ticket_keys.h"
#include "security/tls_context.h"

namespace novacron::security {

class TlsContextSource {
 public:
  // Builds the first context; fails like BuildServerContext.
  static Result<std::shared_ptr<TlsContextSource>> Create(TlsServerOptions options);

  SslContextPtr Current() const;
  // The server certificate of the current context (subject, SANs, expiry).
  CertificateInfo certificate() const;
  TlsServerOptions options() const;
  SessionTicketKeys& ticket_keys() { return *tickets_; }

  // Rebuilds from the same files. On failure the current context stays and the Status names the
  // file and the reason.
  Status Reload();
  // Rebuilds from other files (a SIGHUP changed security.tls.*); they replace the old paths only
  // when the new context could be built.
  Status Reload(TlsServerOptions options);

 private:
  explicit TlsContextSource(TlsServerOptions options);
  // A context that keeps the ticket keys alive as long as any connection uses it.
  Result<SslContextPtr> Build(const TlsServerOptions& options) const;

  const std::shared_ptr<SessionTicketKeys> tickets_;
  mutable std::mutex mu_;
  TlsServerOptions options_;     // guarded by mu_
  SslContextPtr current_;        // guarded by mu_
  CertificateInfo certificate_;  // guarded by mu_
};

}  // namespace novacron::security
