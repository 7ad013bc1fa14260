// The API listener's TLS context, its expiry gauge and its SIGHUP reload.
#include "components/api_tls.h"

#include <chrono>

namespace novacron::components {
namespace {

constexpr auto kExpiryRefresh = std::chrono::minutes(1);
constexpr const char* kReloadHandlerName = "api-tls";

}  // namespace

security::TlsServerOptions ApiTlsOptions(const config::Config& config) {
  const config::TlsConfig& tls = config.security.tls;
  return {.cert_file = tls.cert_file,
          .key_file = tls.key_file,
          .ca_file = tls.ca_file,
          .require_client_cert = config.security.auth_method == config::AuthMethod::kMtls};
}

Result<std::unique_ptr<ApiTls>> ApiTls::Create(Runtime& runtime, observe::Logger log) {
  const config::Config& config = runtime.config();
  if (config.security.tls.cert_file.empty()) return std::unique_ptr<ApiTls>();
  NOVACRON_ASSIGN_OR_RETURN(auto source, security::TlsContextSource::Create(ApiTlsOptions(config)));
  NOVACRON_ASSIGN_OR_RETURN(
      observe::GaugeFamily * family,
      runtime.metrics.RegisterGauge(
          "novacron_tls_cert_expiry_seconds",
          "Seconds until the TLS certificate expires (negative: expired).", {"file"}));
  std::unique_ptr<ApiTls> tls(
      new ApiTls(runtime, std::move(log), std::move(source), family->WithLabels({"server"})));
  return tls;
}

ApiTls::ApiTls(Runtime& runtime, observe::Logger log,
               std::shared_ptr<security::TlsContextSource> source, observe::Gauge& expiry)
    : runtime_(runtime), log_(std::move(log)), source_(std::move(source)), expiry_(expiry) {
  security::CertificateInfo cert = source_->certificate();
  log_.Info("tls: serving", {{"subject", cert.subject},
                             {"not_after", security::FormatUtc(cert.not_after)},
                             {"mtls", source_->options().require_client_cert}});
  UpdateExpiry();
  runtime_.reloads.Register(kReloadHandlerName, [this](const config::Config& next,
                                                       const std::vector<std::string>& changed) {
    return OnReload(next, changed);
  });
  refresher_ = std::jthread([this](std::stop_token stop) {
    std::unique_lock lock(refresh_mu_);
    while (!refresh_cv_.wait_for(lock, stop, kExpiryRefresh, [] { return false; })) {
      UpdateExpiry();
    }
  });
}

ApiTls::~ApiTls() {
  runtime_.reloads.Unregister(kReloadHandlerName);
  refresher_.request_stop();
  refresher_.join();
}

void ApiTls::UpdateExpiry() {
  expiry_.Set(static_cast<double>(source_->certificate().SecondsToExpiry()));
}

std::vector<std::string> ApiTls::OnReload(const config::Config& next,
                                          const std::vector<std::string>& changed) {
  // Every SIGHUP re-reads the files, changed paths or not: renewing a certificate in place is the
  // common case. Whether mTLS is required stays as started (auth_method needs a restart).
  security::TlsServerOptions options = ApiTlsOptions(next);
  options.require_client_cert = source_->options().require_client_cert;
  std::vector<std::string> tls_keys;
  for (const std::string& key : changed) {
    if (key.rfind("security.tls.", 0) == 0) tls_keys.push_back(key);
  }
  if (options.cert_file.empty()) {
    log_.Warn("tls: security.tls.cert_file is now empty; the API keeps serving TLS until restart");
    return {};
  }
  Status reloaded = source_->Reload(options);
  if (!reloaded.ok()) {
    log_.Warn("tls: reload failed; keeping the current certificate",
              {{"error", reloaded.ToString()}});
    return {};
  }
  UpdateExpiry();
  security::CertificateInfo cert = source_->certificate();
  log_.Info("tls: reloaded",
            {{"subject", cert.subject}, {"not_after", security::FormatUtc(cert.not_after)}});
  return tls_keys;
}

}  // namespace novacron::components
