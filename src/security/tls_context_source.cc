// The swappable server TLS context: build, hand out, reload.
#include "security/tls_context_source.h"

#include <utility>

namespace novacron::security {

TlsContextSource::TlsContextSource(TlsServerOptions options)
    : tickets_(std::make_shared<SessionTicketKeys>()), options_(std::move(options)) {}

Result<std::shared_ptr<TlsContextSource>> TlsContextSource::Create(TlsServerOptions options) {
  std::shared_ptr<TlsContextSource> source(new TlsContextSource(std::move(options)));
  NOVACRON_RETURN_IF_ERROR(source->Reload());
  return source;
}

Result<SslContextPtr> TlsContextSource::Build(const TlsServerOptions& options) const {
  NOVACRON_ASSIGN_OR_RETURN(SslContextPtr built, BuildServerContext(options, tickets_.get()));
  // The aliasing constructor ties the ticket keys' lifetime to the context's.
  auto holder = std::make_shared<std::pair<SslContextPtr, std::shared_ptr<SessionTicketKeys>>>(
      built, tickets_);
  return SslContextPtr(holder, built.get());
}

SslContextPtr TlsContextSource::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

CertificateInfo TlsContextSource::certificate() const {
  std::lock_guard lock(mu_);
  return certificate_;
}

TlsServerOptions TlsContextSource::options() const {
  std::lock_guard lock(mu_);
  return options_;
}

Status TlsContextSource::Reload() { return Reload(options()); }

Status TlsContextSource::Reload(TlsServerOptions options) {
  // Built without the lock: handing out the current context never waits for file reads.
  NOVACRON_ASSIGN_OR_RETURN(SslContextPtr next, Build(options));
  X509* cert = SSL_CTX_get0_certificate(next->native_handle());
  CertificateInfo info = cert != nullptr ? DescribeCertificate(cert) : CertificateInfo{};
  std::lock_guard lock(mu_);
  options_ = std::move(options);
  current_ = std::move(next);
  certificate_ = std::move(info);
  return Status::Ok();
}

}  // namespace novacron::security
