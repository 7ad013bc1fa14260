// The tamper-evident audit log: <dir>/audit.log, JSON lines chained by SHA-256, each fsync'd
// before Append returns, rotated by size with the chain continuing across files, old rotated
// files deleted after the retention (docs/security.md, "Audit log").
//
//   NOVACRON_ASSIGN_OR_RETURN(auto audit, AuditLog::Open({.dir = config.system.data_dir}));
//   Status s = audit->Append({.actor = "ci", .role = "operator", .action = "vm.create",
//                             .target = "vms/web1", .result = "ok", .http_status = 201});
//   if (!s.ok()) ...  // refuse the request: nothing unaudited happens
//
// Several processes may append to the same dir (the daemon, `novacron token create` offline):
// each Append holds an flock on <dir>/audit.lock and picks up what the others wrote.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "security/audit_event.h"
#include "security/audit_files.h"

namespace novacron::security {

struct AuditOptions {
  std::filesystem::path dir;                                     // the data dir; must exist
  int64_t rotate_bytes = int64_t{64} << 20;                      // security.audit_rotate_bytes
  std::chrono::seconds retention = std::chrono::hours(90 * 24);  // security.audit_retention
};

class AuditLog {
 public:
  // Opens (or creates, 0600) <dir>/audit.log and continues its chain. A log that does not end
  // where audit.head says (truncated, forged lines appended, a damaged last line) is kept as
  // it is: the first new entry is an "audit.head_mismatch" entry recording the head, so
  // `novacron audit verify` still names the damage. Deletes expired rotated files.
  static Result<std::unique_ptr<AuditLog>> Open(AuditOptions options);

  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one entry and fsyncs it (and audit.head) before returning; thread-safe. An error
  // (invalid event, disk full, I/O) means nothing was recorded: the caller refuses the
  // request it was about to allow.
  Status Append(const AuditEvent& event);

  // Deletes rotated files whose newest entry is older than the retention, oldest first,
  // stopping at the first one still within it. Runs at Open and after each rotation; call it
  // periodically on a node whose log rarely rotates.
  Status ApplyRetention();

  const std::filesystem::path& dir() const { return options_.dir; }

 private:
  explicit AuditLog(AuditOptions options) : options_(std::move(options)) {}

  // Both run with mu_ and the dir lock held.
  Status SyncWithFiles();  // (re)opens audit.log and loads the chain's end if it changed
  Status WriteEntry(const std::string& line);  // the head/line/head protocol
  Status RotateIfNeeded();
  Status ApplyRetentionLocked();

  const AuditOptions options_;

  std::mutex mu_;  // guards everything below, and the order of entries in the chain
  int fd_ = -1;    // audit.log, O_APPEND
  dev_t dev_ = 0;  // identity and size of the audit.log fd_ points at, after our last write:
  ino_t ino_ = 0;  // another process's append or rotation shows up as a difference
  int64_t size_ = -1;
  int64_t next_seq_ = 1;
  std::string last_hash_;  // SHA-256 of the chain's last line
  AuditHead head_;         // what audit.head says
};

}  // namespace novacron::security
