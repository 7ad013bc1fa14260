// The paging of GET /api/v1/vms for `novacron vm list`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cmd_vm_api_client.h"
#include "common/status.h"

namespace novacron::cli {

struct VmListQuery {
  std::string state;           // empty: any
  std::string label_selector;  // "k1=v1,k2=v2"; empty: any
  int limit = 100;             // page size, 1..1000
};

struct VmPage {
  std::vector<nlohmann::json> items;
  std::string next_cursor;  // "" after the last page
};

// "/api/v1/vms?limit=100&state=running&label_selector=app%3Dweb&cursor=..." (empty parts left
// out).
std::string VmListTarget(const VmListQuery& query, const std::string& cursor);

// The first page, or with `all` every page (following next_cursor until it is empty).
Result<VmPage> FetchVms(const ApiClient& client, const VmListQuery& query, bool all);

}  // namespace novacron::cli
