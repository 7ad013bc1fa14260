// security: the node's audit log (<data_dir>/audit.log, docs/security.md "Audit log"). It
// starts before anything that changes state, records the boot and the shutdown, and hands the
// log to the API (every state-changing call) — nothing the API does goes unrecorded.
#pragma once

#include <memory>
#include <mutex>

#include "components/node_component.h"
#include "security/audit_log.h"

namespace novacron::components {

class SecurityComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "security";
  using NodeComponent::NodeComponent;

  // Null unless the component runs. Thread-safe.
  std::shared_ptr<security::AuditLog> audit() const {
    std::lock_guard lock(mu_);
    return audit_;
  }

  Status Stop(lifecycle::StopContext& ctx) override;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<security::AuditLog> audit_;  // guarded by mu_
};

}  // namespace novacron::components
