// Glue between the API guard's audit entries and the security component's audit log.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "api/api_guard.h"
#include "common/status.h"
#include "security/audit_log.h"

namespace novacron::components {

// An AuditSink appending to `audit`; empty when `audit` is null.
api::AuditSink AuditSinkFor(std::shared_ptr<security::AuditLog> audit);

// {"items":[...]}: the newest `limit` entries of <dir>/audit.log, oldest first.
Result<std::string> RecentAuditJson(const std::filesystem::path& dir, int limit);

}  // namespace novacron::components
