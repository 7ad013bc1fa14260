// Audit events to JSON lines and back (audit_event.h).
#include "security/audit_event.h"

#include <nlohmann/json.hpp>

#include "security/audit_files.h"

namespace novacron::security {
namespace {

std::string Bounded(const std::string& s) {
  if (s.size() <= kAuditMaxFieldBytes) return s;
  return s.substr(0, kAuditMaxFieldBytes - 3) + "...";
}

}  // namespace

Status ValidateAuditEvent(const AuditEvent& event) {
  if (event.actor.empty()) {
    return InvalidArgument("audit event " + event.action +
                           ": actor is empty (use \"system\" for the daemon itself)");
  }
  if (event.action.empty()) {
    return InvalidArgument("audit event by " + event.actor +
                           ": action is empty (e.g. \"vm.create\")");
  }
  if (event.result != "ok" && event.result != "denied" && event.result != "error") {
    return InvalidArgument("audit event " + event.action + ": result is \"" + event.result +
                           "\"; use ok, denied or error");
  }
  if (event.http_status < 0 || event.http_status > 999) {
    return InvalidArgument("audit event " + event.action + ": http_status " +
                           std::to_string(event.http_status) + " is not 0 or an HTTP status");
  }
  return Status::Ok();
}

std::string AuditEntryLine(const AuditEvent& event, int64_t seq, std::string_view prev_hash,
                           std::chrono::system_clock::time_point now,
                           std::optional<int64_t> head_seq, std::string_view head_hash) {
  auto time = event.time == std::chrono::system_clock::time_point{} ? now : event.time;
  nlohmann::ordered_json j;
  j["seq"] = seq;
  j["time"] = AuditTimeString(time);
  j["actor"] = Bounded(event.actor);
  j["role"] = Bounded(event.role);
  j["action"] = Bounded(event.action);
  j["target"] = Bounded(event.target);
  j["result"] = Bounded(event.result);
  if (event.http_status != 0) j["status"] = event.http_status;
  j["remote"] = Bounded(event.remote);
  j["request_id"] = Bounded(event.request_id);
  j["detail"] = Bounded(event.detail);
  if (head_seq) j["head"] = {{"seq", *head_seq}, {"hash", std::string(head_hash)}};
  j["prev"] = std::string(prev_hash);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<AuditEntry> ParseAuditEntry(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("not valid JSON");
  if (!j.is_object()) return InvalidArgument("not a JSON object");
  AuditEntry e;
  if (!j.contains("seq") || !j["seq"].is_number_integer() || j["seq"].get<int64_t>() < 1) {
    return InvalidArgument("no valid \"seq\"");
  }
  e.seq = j["seq"].get<int64_t>();
  if (!j.contains("prev") || !j["prev"].is_string() || !IsSha256Hex(j["prev"].get<std::string>())) {
    return InvalidArgument("no valid \"prev\" hash");
  }
  e.prev = j["prev"].get<std::string>();
  auto str = [&](const char* key, std::string& out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_string()) return InvalidArgument(std::string("\"") + key + "\" is not a string");
    out = j[key].get<std::string>();
    return Status::Ok();
  };
  NOVACRON_RETURN_IF_ERROR(str("time", e.time_text));
  NOVACRON_RETURN_IF_ERROR(str("actor", e.event.actor));
  NOVACRON_RETURN_IF_ERROR(str("role", e.event.role));
  NOVACRON_RETURN_IF_ERROR(str("action", e.event.action));
  NOVACRON_RETURN_IF_ERROR(str("target", e.event.target));
  NOVACRON_RETURN_IF_ERROR(str("result", e.event.result));
  NOVACRON_RETURN_IF_ERROR(str("remote", e.event.remote));
  NOVACRON_RETURN_IF_ERROR(str("request_id", e.event.request_id));
  NOVACRON_RETURN_IF_ERROR(str("detail", e.event.detail));
  if (auto t = ParseAuditTime(e.time_text)) e.event.time = *t;
  if (j.contains("status") && j["status"].is_number_integer()) {
    e.event.http_status = j["status"].get<int>();
  }
  if (j.contains("head") && j["head"].is_object()) {
    const auto& h = j["head"];
    if (h.contains("seq") && h["seq"].is_number_integer() && h.contains("hash") &&
        h["hash"].is_string()) {
      e.head_seq = h["seq"].get<int64_t>();
      e.head_hash = h["hash"].get<std::string>();
    }
  }
  return e;
}

std::string FormatAuditEntry(const AuditEntry& e) {
  // Fields hold what clients sent (paths, names): no terminal control sequences on the screen.
  auto printable = [](std::string s) {
    for (char& c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return s;
  };
  const AuditEvent& ev = e.event;
  std::string out = e.time_text + "  #" + std::to_string(e.seq) + "  " + ev.actor;
  if (!ev.role.empty()) out += "(" + ev.role + ")";
  out += "  " + ev.action;
  if (!ev.target.empty()) out += " " + ev.target;
  out += "  " + ev.result;
  if (ev.http_status != 0) out += " " + std::to_string(ev.http_status);
  if (!ev.remote.empty()) out += "  from " + ev.remote;
  if (!ev.request_id.empty()) out += "  req " + ev.request_id;
  if (!ev.detail.empty()) out += "  " + ev.detail;
  return printable(out);
}

}  // namespace novacron::security
