// 500 answers never carry internals (exception text, file paths, SQL): the body says "internal
// error" with a request id, and the detail goes to the daemon log under the same id, so an
// operator can find it (docs/security.md, "Host paths").
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/response.h"

namespace novacron::http {

// Receives the id and the detail of every internal error; the daemon logs them. Until one is
// set, details are dropped (the answer still carries the id).
using InternalErrorReporter = std::function<void(std::string_view id, std::string_view detail)>;
void SetInternalErrorReporter(InternalErrorReporter reporter);

// A new random request id: 16 lowercase hex digits.
std::string NewRequestId();

// Reports `detail` under a new id and returns the 500 problem response that names only the id:
// {"title":"Internal Server Error","detail":"internal error (request id <id>); see the daemon
// log","request_id":"<id>"}.
Response InternalErrorResponse(std::string_view detail);

}  // namespace novacron::http
