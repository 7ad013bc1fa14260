#include "vm/settle.h"

namespace novacron::vm {
namespace {

std::string FailureOf(const FinishedOperation& op) {
  return std::string(VmOperationName(op.operation)) + ": " + op.result.ToString();
}

bool Failed(const std::optional<FinishedOperation>& op) { return op && !op->result.ok(); }

// The record wants the domain on (starting) and no operation is queued behind this one.
SettleDecision SettleStarting(const SettleInput& in) {
  const std::optional<FinishedOperation>& op = in.finished;
  if (!in.power) {
    if (op) {
      return {VmState::kFailed,
              Failed(op) ? FailureOf(*op) : "start: the domain disappeared from the hypervisor"};
    }
    return {};
  }
  switch (*in.power) {
    case PowerState::kRunning:
    case PowerState::kPaused:
      return {VmState::kRunning, ""};  // also "already running": the goal is met
    case PowerState::kCrashed:
      return {VmState::kFailed, "start: the guest crashed while starting"};
    case PowerState::kShutOff:
      if (!op) return {};  // the start was lost (a restart): reconciliation starts it again
      return {VmState::kFailed, Failed(op)
                                    ? FailureOf(*op)
                                    : "start: the domain was shut off right after it started"};
    case PowerState::kOther:
      return {};
  }
  return {};
}

// The record wants the domain off (stopping).
SettleDecision SettleStopping(const SettleInput& in) {
  const std::optional<FinishedOperation>& op = in.finished;
  if (!in.power)
    return Failed(op) ? SettleDecision{VmState::kFailed, FailureOf(*op)} : SettleDecision{};
  if (*in.power == PowerState::kShutOff || *in.power == PowerState::kCrashed) {
    return {VmState::kStopped, ""};  // the goal is met, whatever the call returned
  }
  if (IsPoweredOn(*in.power) && op) {
    std::string what = std::string(VmOperationName(op->operation));
    return {VmState::kRunning,
            Failed(op) ? FailureOf(*op) : what + ": the domain was still running after it"};
  }
  return {};  // no operation: the stop was lost (a restart): reconciliation stops it again
}

}  // namespace

std::string_view VmOperationName(VmOperation operation) {
  switch (operation) {
    case VmOperation::kStart:
      return "start";
    case VmOperation::kShutdown:
      return "shutdown";
    case VmOperation::kStop:
      return "stop";
  }
  return "unknown";
}

SettleDecision Settle(const SettleInput& in) {
  if (in.more_queued) return {std::nullopt, Failed(in.finished) ? FailureOf(*in.finished) : ""};
  switch (in.recorded) {
    case VmState::kStarting:
      return SettleStarting(in);
    case VmState::kStopping:
      return SettleStopping(in);
    case VmState::kRunning:
      if (!in.power) return {};  // drift, reported by reconciliation
      if (*in.power == PowerState::kShutOff) return {VmState::kStopped, ""};  // powered itself off
      if (*in.power == PowerState::kCrashed) {
        return {VmState::kFailed, "the guest crashed (the hypervisor reports it crashed)"};
      }
      return {};
    case VmState::kDefined:
    case VmState::kStopped:
    case VmState::kFailed:
      // Started behind our back (virsh, autostart). A failed VM stays failed while it is off:
      // the operator sees why and decides.
      if (in.power && IsPoweredOn(*in.power)) return {VmState::kRunning, ""};
      return {};
    case VmState::kDeleting:
      return {};  // the delete in progress, or reconciliation, finishes it
  }
  return {};
}

}  // namespace novacron::vm
