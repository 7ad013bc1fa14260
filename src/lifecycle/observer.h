// How the engine tells the daemon what happens (logs, metrics, boot records) without knowing any
// of them.
//
// Threading: calls come from one engine thread, never two at once, in the order the engine
// changed state, so an observer needs no locking of its own. Start(), Stop() and EnsureStarted()
// return only after the events of their work were delivered. An observer may call the engine's
// read-only functions (Snapshot, Ready, ...) but not Start, Stop, CancelBoot or EnsureStarted.
// A slow observer delays the delivery of events, not the boot.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "lifecycle/checkpoint.h"
#include "lifecycle/clock.h"
#include "lifecycle/component.h"

namespace novacron::lifecycle {

class Observer {
 public:
  virtual ~Observer() = default;

  // `at` is the time since the boot started.
  virtual void OnCheckpoint(Checkpoint /*checkpoint*/, Duration /*at*/) {}
  virtual void OnStarting(const ComponentSpec& /*component*/, int /*attempt*/) {}
  // `took`: this attempt.
  virtual void OnStarted(const ComponentSpec& /*component*/, int /*attempt*/, Duration /*took*/) {}
  // An attempt failed (timeouts are DeadlineExceeded). `retry_in` is set when another attempt
  // follows after that delay; otherwise OnFailed follows.
  virtual void OnAttemptFailed(const ComponentSpec& /*component*/, int /*attempt*/,
                               const Status& /*error*/, std::optional<Duration> /*retry_in*/) {}
  // The component will not run: its last error. Its criticality decides what happens next.
  virtual void OnFailed(const ComponentSpec& /*component*/, const Status& /*error*/) {}
  // Not started because `dependency` did not start (or the boot was aborted before it could).
  virtual void OnBlocked(const ComponentSpec& /*component*/, std::string_view /*dependency*/,
                         const Status& /*reason*/) {}
  virtual void OnStopping(const ComponentSpec& /*component*/) {}
  // `result`: OK, the error Stop returned, or DeadlineExceeded when the stop was abandoned or
  // skipped at the shutdown deadline.
  virtual void OnStopped(const ComponentSpec& /*component*/, Duration /*took*/,
                         const Status& /*result*/) {}
  // A start attempt that had timed out returned after all. If it succeeded the engine stopped the
  // component again (`cleanup` is that Stop's result), so nothing is left running behind its back.
  virtual void OnLateStart(const ComponentSpec& /*component*/, int /*attempt*/,
                           const Status& /*start_result*/, const Status& /*cleanup*/) {}
};

}  // namespace novacron::lifecycle
