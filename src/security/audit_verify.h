// Verifies the audit log of a data dir: the hash chain across rotated files and audit.log, the
// sequence numbers, and the end of the log against audit.head. Names the first bad line and
// what happened to it (docs/security.md, "Audit log").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::security {

struct AuditVerifyResult {
  bool ok = false;
  int64_t entries = 0;
  int files = 0;
  int64_t first_seq = 0;
  int64_t last_seq = 0;  // when !ok: the last entry that checked out (entries counts those)
  // Worth knowing even when ok: the chain starts after entries deleted by retention, the last
  // Append was interrupted.
  std::vector<std::string> notes;

  // When !ok, the first bad line:
  std::string kind;  // edited | removed | reordered | truncated | forged | head
  std::filesystem::path file;
  int64_t line = 0;  // 1-based; 0 = the file as a whole (audit.head)
  std::string message;
};

// A Status error only when the log cannot be read (or there is none: kNotFound); damage is a
// result with ok == false. Reads a snapshot taken under the writers' lock, so it is safe while
// the daemon appends.
Result<AuditVerifyResult> VerifyAuditLog(const std::filesystem::path& dir);

// "ok: 12 entries (seq 1..12) in 2 files" plus notes, or "<file>:<line>: <kind>: <message>".
std::string FormatAuditVerifyResult(const AuditVerifyResult& result);

}  // namespace novacron::security
