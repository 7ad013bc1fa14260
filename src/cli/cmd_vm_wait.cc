#include "cli/cmd_vm_wait.h"

#include <string>
#include <thread>

#include "cli/cmd_vm_errors.h"
#include "config/units.h"

namespace novacron::cli {

namespace {}  // namespace

WaitProgress ClassifyState(std::string_view state, std::string_view target) {
  if (state == target) return WaitProgress::kReached;
  if (state == "failed") return WaitProgress::kFailed;
  return WaitProgress::kWaiting;
}

Result<nlohmann::json> WaitForVmState(const ApiClient& client, const nlohmann::json& vm,
                                      std::string_view target, std::chrono::milliseconds timeout,
                                      std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string id = JsonString(vm, "id");
  std::string name = JsonString(vm, "name");
  if (name.empty()) name = id;
  if (id.empty()) return Status(ErrorCode::kInternal, "the daemon's answer has no vm id");
  nlohmann::json current = vm;
  while (true) {
    std::string state = JsonString(current, "state");
    switch (ClassifyState(state, target)) {
      case WaitProgress::kReached:
        return current;
      case WaitProgress::kFailed: {
        std::string error = JsonString(current, "last_error");
        return Status(ErrorCode::kInternal,
                      "vm " + name + " failed" + (error.empty() ? "" : ": " + error));
      }
      case WaitProgress::kWaiting:
        break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return DeadlineExceeded("timed out after " + config::FormatDuration(timeout) +
                              " waiting for vm " + name + " to be " + std::string(target) +
                              " (it is " + (state.empty() ? "in no known state" : state) + ")");
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(interval, deadline - now));
    auto response = Expect2xx(client.Get(VmPath(id)));
    if (!response.ok()) return response.status();
    current = std::move(response->body);
  }
}

}  // namespace novacron::cli
