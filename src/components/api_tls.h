// The API listener's TLS (docs/security.md, "TLS"): the context source built from
// security.tls.*, the gauge novacron_tls_cert_expiry_seconds{file="server"} (refreshed every
// minute), and the SIGHUP handler that reloads the files (a bad new certificate keeps the old
// one and logs why).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

#include "common/status.h"
#include "components/runtime.h"
#include "security/tls_context_source.h"

namespace novacron::components {

class ApiTls {
 public:
  // Null when security.tls.cert_file is empty (plain HTTP). Fails naming the file and the fix
  // (e.g. "chmod 600 ...") when the files are unusable.
  static Result<std::unique_ptr<ApiTls>> Create(Runtime& runtime, observe::Logger log);
  ~ApiTls();  // unregisters the reload handler, stops the refresher
  ApiTls(const ApiTls&) = delete;
  ApiTls& operator=(const ApiTls&) = delete;

  const std::shared_ptr<security::TlsContextSource>& source() const { return source_; }

 private:
  ApiTls(Runtime& runtime, observe::Logger log, std::shared_ptr<security::TlsContextSource> source,
         observe::Gauge& expiry);
  std::vector<std::string> OnReload(const config::Config& next,
                                    const std::vector<std::string>& changed);
  void UpdateExpiry();

  Runtime& runtime_;
  observe::Logger log_;
  std::shared_ptr<security::TlsContextSource> source_;
  observe::Gauge& expiry_;
  std::mutex refresh_mu_;
  std::condition_variable_any refresh_cv_;  // wakes the refresher on stop
  std::jthread refresher_;                  // last: stopped and joined first
};

// The server options security.tls.* and security.auth_method describe.
security::TlsServerOptions ApiTlsOptions(const config::Config& config);

}  // namespace novacron::components
