#include "vm/vm_state.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <utility>

namespace novacron::vm {
namespace {

using S = VmState;
using A = VmAction;
using E = VmEvent;

// Every (state, action) pair that is legal, with its next state; all other pairs must conflict.
const std::map<std::pair<S, A>, S> kLegalActions = {
    {{S::kDefined, A::kStart}, S::kStarting},  {{S::kStopped, A::kStart}, S::kStarting},
    {{S::kFailed, A::kStart}, S::kStarting},   {{S::kRunning, A::kStop}, S::kStopping},
    {{S::kStarting, A::kStop}, S::kStopping},  {{S::kFailed, A::kStop}, S::kStopping},
    {{S::kRunning, A::kReboot}, S::kRunning},  {{S::kDefined, A::kDelete}, S::kDeleting},
    {{S::kStopped, A::kDelete}, S::kDeleting}, {{S::kFailed, A::kDelete}, S::kDeleting},
};

TEST(VmStateTest, EveryActionInEveryState) {
  int legal = 0;
  for (S from : kAllVmStates) {
    for (A action : kAllVmActions) {
      SCOPED_TRACE(std::string(VmStateName(from)) + " + " + std::string(VmActionName(action)));
      Result<S> next = ApplyAction("web1", from, action);
      auto it = kLegalActions.find({from, action});
      if (it != kLegalActions.end()) {
        ++legal;
        ASSERT_TRUE(next.ok()) << next.status().ToString();
        EXPECT_EQ(*next, it->second);
      } else {
        ASSERT_FALSE(next.ok());
        EXPECT_EQ(next.status().code(), ErrorCode::kConflict);
        std::string expected = "cannot " + std::string(VmActionName(action)) +
                               " vm 'web1': it is " + std::string(VmStateName(from));
        EXPECT_EQ(next.status().message().rfind(expected, 0), 0u) << next.status().message();
      }
    }
  }
  EXPECT_EQ(legal, static_cast<int>(kLegalActions.size()));
}

TEST(VmStateTest, ConflictMessageMatchesApiWording) {
  Result<S> next = ApplyAction("web1", S::kRunning, A::kStart);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().message(), "cannot start vm 'web1': it is running");
  Result<S> del = ApplyAction("web1", S::kRunning, A::kDelete);
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.status().message(), "cannot delete vm 'web1': it is running; stop it first");
}

TEST(VmStateTest, NoActionLeavesDeleting) {
  for (A action : kAllVmActions) EXPECT_FALSE(ApplyAction("x", S::kDeleting, action).ok());
}

TEST(VmStateTest, NamesRoundTrip) {
  for (S s : kAllVmStates) EXPECT_EQ(ParseVmState(VmStateName(s)), s);
  for (A a : kAllVmActions) EXPECT_EQ(ParseVmAction(VmActionName(a)), a);
  for (E e : kAllVmEvents) EXPECT_EQ(ParseVmEvent(VmEventName(e)), e);
  EXPECT_EQ(ParseVmState("Running"), std::nullopt);
  EXPECT_EQ(ParseVmState(""), std::nullopt);
  EXPECT_EQ(ParseVmAction("destroy"), std::nullopt);
  EXPECT_EQ(ParseVmEvent("paused"), std::nullopt);
  EXPECT_EQ(VmStateName(S::kDeleting), "deleting");
}

TEST(VmStateTest, TransitionalStates) {
  EXPECT_TRUE(IsTransitional(S::kStarting));
  EXPECT_TRUE(IsTransitional(S::kStopping));
  EXPECT_TRUE(IsTransitional(S::kDeleting));
  EXPECT_FALSE(IsTransitional(S::kDefined));
  EXPECT_FALSE(IsTransitional(S::kRunning));
  EXPECT_FALSE(IsTransitional(S::kStopped));
  EXPECT_FALSE(IsTransitional(S::kFailed));
}

}  // namespace
}  // namespace novacron::vm
