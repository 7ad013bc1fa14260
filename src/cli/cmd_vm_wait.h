// `--wait`: polls a VM until it reaches the state a command asked for.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/cmd_vm_api_client.h"
#include "common/status.h"

namespace novacron::cli {

inline constexpr std::chrono::milliseconds kWaitPollInterval{250};

enum class WaitProgress { kReached, kFailed, kWaiting };
// kReached when `state` is `target`, kFailed when it is "failed", else kWaiting (transitional
// states, and stable ones on the way: a VM being shut down may still report running).
WaitProgress ClassifyState(std::string_view state, std::string_view target);

// Starting from `vm` (the object a POST returned), polls GET /api/v1/vms/{id} every `interval`
// until the VM is in `target` and returns it. Errors: kInternal "vm web1 failed: <last_error>";
// kNotFound when it disappears; kDeadlineExceeded "timed out after 5m waiting for vm web1 to be
// running (it is starting)"; the errors of the GET itself.
Result<nlohmann::json> WaitForVmState(const ApiClient& client, const nlohmann::json& vm,
                                      std::string_view target, std::chrono::milliseconds timeout,
                                      std::chrono::milliseconds interval = kWaitPollInterval);

}  // namespace novacron::cli
