#include "components/security_component.h"

#include <unistd.h>

namespace novacron::components {

Status SecurityComponent::DoStart(lifecycle::StartContext&) {
  const config::Config& config = this->config();
  security::AuditOptions options;
  options.dir = config.system.data_dir;
  options.rotate_bytes = config.security.audit_rotate_bytes;
  options.retention =
      std::chrono::duration_cast<std::chrono::seconds>(config.security.audit_retention);
  NOVACRON_ASSIGN_OR_RETURN(std::unique_ptr<security::AuditLog> opened,
                            security::AuditLog::Open(std::move(options)));
  std::shared_ptr<security::AuditLog> audit(std::move(opened));
  security::AuditEvent boot;
  boot.actor = "system";
  boot.action = "daemon.boot";
  boot.target = "node/" + config.system.node_id;
  boot.result = "ok";
  boot.detail = "pid " + std::to_string(::getpid()) + ", version " + runtime().version;
  if (Status written = audit->Append(boot); !written.ok()) {
    return Status(written.code(), "audit log: " + written.message());
  }
  std::lock_guard lock(mu_);
  audit_ = std::move(audit);
  return {};
}

Status SecurityComponent::Stop(lifecycle::StopContext&) {
  std::shared_ptr<security::AuditLog> audit;
  {
    std::lock_guard lock(mu_);
    audit = std::move(audit_);
  }
  if (!audit) return {};
  security::AuditEvent shutdown;
  shutdown.actor = "system";
  shutdown.action = "daemon.shutdown";
  shutdown.target = "node/" + config().system.node_id;
  shutdown.result = "ok";
  Status written = audit->Append(shutdown);
  if (written.ok()) return written;
  return Status(written.code(), "audit log: " + written.message());
}

}  // namespace novacron::components
