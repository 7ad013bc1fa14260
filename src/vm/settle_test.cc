// The settle rule, case by case: every recorded state against every power state, with and
// without a finished operation, and with operations still queued.
#include "vm/settle.h"

#include <gtest/gtest.h>

namespace novacron::vm {
namespace {

using S = VmState;
using P = PowerState;

SettleDecision After(S recorded, std::optional<P> power, std::optional<VmOperation> op = {},
                     Status result = {}, bool more = false) {
  SettleInput in;
  in.recorded = recorded;
  in.power = power;
  if (op) in.finished = FinishedOperation{*op, result};
  in.more_queued = more;
  return Settle(in);
}

TEST(SettleTest, StartingFollowsThePowerState) {
  EXPECT_EQ(After(S::kStarting, P::kRunning, VmOperation::kStart).next, S::kRunning);
  EXPECT_EQ(After(S::kStarting, P::kPaused, VmOperation::kStart).next, S::kRunning);
  // "already running" is an error from the call but the goal is met.
  auto already = After(S::kStarting, P::kRunning, VmOperation::kStart,
                       FailedPrecondition("domain is already running"));
  EXPECT_EQ(already.next, S::kRunning);
  EXPECT_EQ(already.error, "");
  auto failed = After(S::kStarting, P::kShutOff, VmOperation::kStart, Internal("no memory"));
  EXPECT_EQ(failed.next, S::kFailed);
  EXPECT_NE(failed.error.find("start: "), std::string::npos);
  EXPECT_NE(failed.error.find("no memory"), std::string::npos);
  auto died = After(S::kStarting, P::kShutOff, VmOperation::kStart);
  EXPECT_EQ(died.next, S::kFailed);
  EXPECT_NE(died.error, "");
  EXPECT_EQ(After(S::kStarting, P::kCrashed, VmOperation::kStart).next, S::kFailed);
}

TEST(SettleTest, AnEventWithoutAnOperationNeverFailsAStart) {
  // The bug this rule replaces: a stale "stopped" event met a record in `starting`.
  SettleDecision d = After(S::kStarting, P::kShutOff);
  EXPECT_EQ(d.next, std::nullopt);
  EXPECT_EQ(d.error, "");
  EXPECT_EQ(After(S::kStarting, P::kRunning).next, S::kRunning);
  EXPECT_EQ(After(S::kStopping, P::kRunning).next, std::nullopt);
  EXPECT_EQ(After(S::kStopping, P::kShutOff).next, S::kStopped);
}

TEST(SettleTest, StoppingFollowsThePowerState) {
  EXPECT_EQ(After(S::kStopping, P::kShutOff, VmOperation::kShutdown).next, S::kStopped);
  // Destroy of a domain that is already off fails, but the goal is met.
  auto off = After(S::kStopping, P::kShutOff, VmOperation::kStop,
                   FailedPrecondition("domain is not running"));
  EXPECT_EQ(off.next, S::kStopped);
  EXPECT_EQ(off.error, "");
  auto refused = After(S::kStopping, P::kRunning, VmOperation::kShutdown, Unavailable("gone"));
  EXPECT_EQ(refused.next, S::kRunning);
  EXPECT_EQ(refused.error.rfind("shutdown: ", 0), 0u) << refused.error;
}

TEST(SettleTest, QueuedOperationsKeepTheStateAndNoteFailures) {
  auto d = After(S::kStopping, P::kShutOff, VmOperation::kStart, Internal("boom"), true);
  EXPECT_EQ(d.next, std::nullopt);
  EXPECT_NE(d.error.find("boom"), std::string::npos);
  auto ok = After(S::kStopping, P::kRunning, VmOperation::kStart, {}, true);
  EXPECT_EQ(ok.next, std::nullopt);
  EXPECT_EQ(ok.error, "");
}

TEST(SettleTest, StableStatesFollowWhatHappenedBehindOurBack) {
  EXPECT_EQ(After(S::kRunning, P::kShutOff).next, S::kStopped);
  auto crashed = After(S::kRunning, P::kCrashed);
  EXPECT_EQ(crashed.next, S::kFailed);
  EXPECT_NE(crashed.error, "");
  EXPECT_EQ(After(S::kRunning, P::kRunning).next, std::nullopt);
  EXPECT_EQ(After(S::kStopped, P::kRunning).next, S::kRunning);
  EXPECT_EQ(After(S::kDefined, P::kRunning).next, S::kRunning);
  EXPECT_EQ(After(S::kFailed, P::kRunning).next, S::kRunning);
  EXPECT_EQ(After(S::kFailed, P::kShutOff).next, std::nullopt);  // failed stays until acted on
  EXPECT_EQ(After(S::kStopped, P::kShutOff).next, std::nullopt);
  EXPECT_EQ(After(S::kRunning, std::nullopt).next, std::nullopt);  // drift, not a state change
  EXPECT_EQ(After(S::kDeleting, P::kRunning).next, std::nullopt);
}

TEST(SettleTest, FailedIsNeverDecidedWithoutAnError) {
  const std::optional<P> powers[] = {std::nullopt, P::kRunning, P::kPaused,
                                     P::kShutOff,  P::kCrashed, P::kOther};
  const std::optional<VmOperation> ops[] = {std::nullopt, VmOperation::kStart,
                                            VmOperation::kShutdown, VmOperation::kStop};
  int decided_failed = 0;
  for (S s : kAllVmStates) {
    for (const auto& p : powers) {
      for (const auto& op : ops) {
        for (bool ok : {true, false}) {
          for (bool more : {false, true}) {
            SettleDecision d = After(s, p, op, ok ? Status() : Internal("x"), more);
            if (d.next == S::kFailed) {
              ++decided_failed;
              EXPECT_NE(d.error, "") << VmStateName(s);
            }
            if (more) {
              EXPECT_EQ(d.next, std::nullopt);
            }
          }
        }
      }
    }
  }
  EXPECT_GT(decided_failed, 0);
}

}  // namespace
}  // namespace novacron::vm
