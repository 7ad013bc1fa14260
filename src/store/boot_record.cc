#include "store/boot_record.h"

#include <array>
#include <utility>

namespace novacron::store {
namespace {

constexpr std::array<std::pair<BootState, std::string_view>, 6> kStateNames = {{
    {BootState::kInProgress, "in_progress"},
    {BootState::kReady, "ready"},
    {BootState::kDegraded, "degraded"},
    {BootState::kFailed, "failed"},
    {BootState::kInterrupted, "interrupted"},
    {BootState::kCrashed, "crashed"},
}};

}  // namespace

std::string_view BootStateName(BootState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "unknown";
}

Result<BootState> ParseBootState(std::string_view name) {
  for (const auto& [value, known] : kStateNames) {
    if (known == name) return value;
  }
  return InvalidArgument("unknown boot state '" + std::string(name) + "'");
}

Status ValidateBootInfo(const BootInfo& info) {
  if (info.node_id.empty()) return InvalidArgument("boot record: node_id is empty");
  if (info.pid <= 0) {
    return InvalidArgument("boot record: pid " + std::to_string(info.pid) + " is not positive");
  }
  return Status::Ok();
}

Status ValidateComponentRecord(const ComponentRecord& component) {
  if (component.name.empty()) return InvalidArgument("component record: name is empty");
  const std::string who = "component record '" + component.name + "': ";
  if (component.state.empty()) return InvalidArgument(who + "state is empty");
  if (component.attempts < 0) {
    return InvalidArgument(who + "attempts " + std::to_string(component.attempts) + " is negative");
  }
  if (component.start_offset && component.end_offset &&
      *component.end_offset < *component.start_offset) {
    return InvalidArgument(who + "end offset " + std::to_string(component.end_offset->count()) +
                           "us is before start offset " +
                           std::to_string(component.start_offset->count()) + "us");
  }
  return Status::Ok();
}

}  // namespace novacron::store
