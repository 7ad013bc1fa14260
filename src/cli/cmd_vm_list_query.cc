#include "cli/cmd_vm_list_query.h"

#include <set>

#include "cli/cmd_vm_errors.h"

namespace novacron::cli {

std::string VmListTarget(const VmListQuery& query, const std::string& cursor) {
  std::string target = "/api/v1/vms?limit=" + std::to_string(query.limit);
  if (!query.state.empty()) target += "&state=" + PercentEncode(query.state);
  if (!query.label_selector.empty()) {
    target += "&label_selector=" + PercentEncode(query.label_selector);
  }
  if (!cursor.empty()) target += "&cursor=" + PercentEncode(cursor);
  return target;
}

Result<VmPage> FetchVms(const ApiClient& client, const VmListQuery& query, bool all) {
  VmPage page;
  std::set<std::string> seen_cursors;  // a daemon bug must not loop us forever
  std::string cursor;
  do {
    NOVACRON_ASSIGN_OR_RETURN(auto response, Expect2xx(client.Get(VmListTarget(query, cursor))));
    const nlohmann::json& body = response.body;
    auto items = body.is_object() ? body.find("items") : body.end();
    if (!body.is_object() || items == body.end() || !items->is_array()) {
      return Status(ErrorCode::kInternal,
                    "the daemon's answer to GET /api/v1/vms has no items array: is it a "
                    "novacron daemon of this version?");
    }
    for (const auto& item : *items) page.items.push_back(item);
    auto next = body.find("next_cursor");
    cursor = next != body.end() && next->is_string() ? next->get<std::string>() : "";
    if (!cursor.empty() && !seen_cursors.insert(cursor).second) {
      return Status(ErrorCode::kInternal, "the daemon returned the cursor '" + cursor + "' twice");
    }
  } while (all && !cursor.empty());
  page.next_cursor = cursor;
  return page;
}

}  // namespace novacron::cli
