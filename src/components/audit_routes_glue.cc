// The API's view of the audit log: API audit entries become audit log events, and
// GET /api/v1/audit reads the newest lines of audit.log (docs/security.md, "Audit log").
#include "components/audit_routes_glue.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace novacron::components {
namespace {

// Enough for the 1000 newest entries of ordinary size; older ones are in the file for
// `novacron audit tail` and verify.
constexpr off_t kTailBytes = 4 << 20;

}  // namespace

api::AuditSink AuditSinkFor(std::shared_ptr<security::AuditLog> audit) {
  if (!audit) return {};
  return [audit](const api::ApiAuditEntry& entry) {
    security::AuditEvent event;
    event.actor = entry.actor.empty() ? "anonymous" : entry.actor;
    event.role = entry.role;
    event.action = entry.action;
    event.target = entry.target;
    event.result = entry.result;
    event.http_status = entry.status;
    event.remote = entry.remote;
    event.detail = entry.reason.empty() ? entry.method + " " + entry.path
                                        : entry.reason + ": " + entry.method + " " + entry.path;
    if (!entry.actor_name.empty() && entry.actor_name != entry.actor) {
      event.detail += " (" + entry.actor_name + ")";
    }
    return audit->Append(event);
  };
}

Result<std::string> RecentAuditJson(const std::filesystem::path& dir, int limit) {
  std::filesystem::path path = dir / "audit.log";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return NotFound("no audit log in " + dir.string());
  struct stat st {};
  std::string data;
  if (::fstat(fd, &st) == 0) {
    off_t start = std::max<off_t>(0, st.st_size - kTailBytes);
    data.resize(static_cast<size_t>(st.st_size - start));
    ssize_t got = ::pread(fd, data.data(), data.size(), start);
    data.resize(got > 0 ? static_cast<size_t>(got) : 0);
    if (start > 0) {  // drop the partial first line
      size_t newline = data.find('\n');
      data.erase(0, newline == std::string::npos ? data.size() : newline + 1);
    }
  }
  ::close(fd);
  std::vector<std::string_view> lines;
  std::string_view rest(data);
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) break;  // an unfinished last line is not shown
    if (newline > 0) lines.push_back(rest.substr(0, newline));
    rest.remove_prefix(newline + 1);
  }
  size_t first = lines.size() > static_cast<size_t>(limit) ? lines.size() - limit : 0;
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = first; i < lines.size(); ++i) {
    nlohmann::json entry = nlohmann::json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
    if (!entry.is_discarded()) items.push_back(std::move(entry));
  }
  return nlohmann::json{{"items", items}}.dump();
}

}  // namespace novacron::components
