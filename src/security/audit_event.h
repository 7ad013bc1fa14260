// One audit event (who did what to what, and how it ended) and its JSON line in audit.log
// (docs/security.md, "Audit log").
//
//   {"seq":42,"time":"2026-12-03T12:26:30.123456Z","actor":"ci","role":"operator",
//    "action":"vm.create","target":"vms/web1","result":"ok","status":201,
//    "remote":"10.0.0.7:51234","request_id":"r-17","detail":"","prev":"<sha256 of line 41>"}
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::security {

// Every member has a default initializer, so designated initializers may name only some.
struct AuditEvent {
  std::chrono::system_clock::time_point time{};  // the epoch = "now" at Append
  std::string actor{};   // token name/id, certificate CN, "system"; required
  std::string role{};    // viewer | operator | admin | "" (unauthenticated)
  std::string action{};  // "vm.create", "token.create", "auth.failure", "daemon.boot"; required
  std::string target{};  // what was acted on, e.g. "vms/web1", "tokens/7"
  std::string result{};  // ok | denied | error; required
  int http_status = 0;   // 0: not an HTTP request
  std::string remote{};  // peer address "host:port"
  std::string request_id{};
  std::string detail{};  // free text, e.g. why it was denied
};

// Each string field is cut to this many bytes (marked with "...") so one entry stays small
// whatever a client sends.
inline constexpr size_t kAuditMaxFieldBytes = 4096;

// Checks the required fields; the message names the field.
Status ValidateAuditEvent(const AuditEvent& event);

// The line for `event` (without '\n'): seq, time, the event's fields, prev. Invalid UTF-8 is
// replaced, never thrown. `head_seq`/`head_hash`: only on the writer's "audit.head_mismatch"
// entry (see AuditEntry).
std::string AuditEntryLine(const AuditEvent& event, int64_t seq, std::string_view prev_hash,
                           std::chrono::system_clock::time_point now,
                           std::optional<int64_t> head_seq = std::nullopt,
                           std::string_view head_hash = {});

// An entry parsed back from a line, for verify and tail.
struct AuditEntry {
  int64_t seq = 0;
  std::string prev;
  AuditEvent event;
  std::string time_text;  // as written
  // Set on the entry the writer adds when it reopens a log whose end does not match the head
  // it recorded (action "audit.head_mismatch"): that head.
  std::optional<int64_t> head_seq;
  std::string head_hash;
};

// Parses a line; the error says what is wrong (not JSON, a missing or mistyped field).
Result<AuditEntry> ParseAuditEntry(std::string_view line);

// One human-readable line for `novacron audit tail`.
std::string FormatAuditEntry(const AuditEntry& entry);

}  // namespace novacron::security
