// REST API v1: the VM and node routes and the OpenAPI document (issue 3 contract, docs/api.md).
//
//   api::ApiV1Deps deps{.manager = manager, .idempotency = &state_store->vms(), .log = log};
//   api::AddApiV1Routes(router, deps);
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "api/list_cache.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "observe/log.h"
#include "store/vm_store.h"
#include "vm/manager.h"

namespace novacron::api {

// Returns a response (401/403 problem) to refuse the request, nullopt to let it through.
using Authenticator = std::function<std::optional<http::Response>(const http::Request&)>;

struct ApiV1Deps {
  vm::VmManager* manager = nullptr;       // required
  store::VmStore* idempotency = nullptr;  // Idempotency-Key records; null: keys are not kept
  observe::Logger log = observe::Logger::Discard();
  // Runs before every VM and node handler (not before /api/v1/openapi.json); empty: allow all.
  Authenticator authenticate{};
  // True while the store answers reads from a possibly stale copy (etcd without quorum): GET
  // answers then carry `Warning: 110 - "..."` (RFC 7234, "Response is Stale"). Empty: never.
  std::function<bool()> reads_stale{};
  // Rendered VM lists (set by AddApiV1Routes when null).
  std::shared_ptr<ListCache> list_cache{};
};

// Handlers share one copy of the dependencies.
using ApiV1DepsPtr = std::shared_ptr<const ApiV1Deps>;

struct RouteInfo {
  std::string_view method;
  std::string_view pattern;
};

// Every route AddApiV1Routes registers (for the OpenAPI completeness check).
const std::vector<RouteInfo>& ApiV1Routes();

// Registers the routes; `deps.manager` and `deps.idempotency` must outlive the server.
void AddApiV1Routes(http::Router& router, const ApiV1Deps& deps);

}  // namespace novacron::api
