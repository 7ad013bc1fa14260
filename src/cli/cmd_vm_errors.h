// How the REST API commands (`vm`, `node`, `cluster`) turn failures into one stderr line and an
// exit code a script can rely on (docs/cli-vm.md, docs/cli-cluster.md): 1 the daemon refused,
// 2 usage, 4 no daemon, 5 not found, 6 conflict, 7 timed out waiting.
#pragma once

#include <string>
#include <string_view>

#include "cli/cmd_vm_api_client.h"
#include "common/status.h"

namespace novacron::cli {

// "422 Unprocessable Entity: vcpus: must be at least 1" from an RFC 7807 problem: its title (or
// the reason phrase), then every `errors` entry as "field: message" joined by "; ", else
// "field: detail", else the detail. A body that is not a problem contributes its first line.
std::string DescribeErrorResponse(const ApiResponse& response);

// The status a non-2xx response stands for: 404 kNotFound, 409 and 412 kConflict, anything else
// kInternal (the daemon refused or failed: exit 1). The message is DescribeErrorResponse().
Status StatusFromResponse(const ApiResponse& response);

// kNotFound 5, kConflict/kAlreadyExists 6, kUnavailable 4 (no daemon), kDeadlineExceeded 7
// (waiting timed out), kInvalidArgument 2 (bad flags, detected before asking), others 1.
int ExitCodeFor(const Status& status);

// Prints "novacron: <command>: <message>" to stderr ("novacron: vm show: 404 Not Found: ...")
// and returns ExitCodeFor(status). `command` is the whole subcommand path, e.g. "node cordon".
int ReportFailure(std::string_view command, const Status& status);

// A 2xx response, or the status of the transport error or the error response.
Result<ApiResponse> Expect2xx(Result<ApiResponse> response);

}  // namespace novacron::cli
