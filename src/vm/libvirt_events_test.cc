#include "vm/libvirt_events.h"

#include <gtest/gtest.h>

namespace novacron::vm {
namespace {

TEST(TranslateLifecycleEventTest, MapsStartsStopsAndCrashes) {
  EXPECT_EQ(TranslateLifecycleEvent(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED),
            VmEvent::kStarted);
  EXPECT_EQ(TranslateLifecycleEvent(VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
            VmEvent::kStarted);
  for (int detail : {VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_DESTROYED,
                     VIR_DOMAIN_EVENT_STOPPED_MIGRATED, VIR_DOMAIN_EVENT_STOPPED_SAVED,
                     VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT}) {
    EXPECT_EQ(TranslateLifecycleEvent(VIR_DOMAIN_EVENT_STOPPED, detail), VmEvent::kStopped)
        << detail;
  }
  EXPECT_EQ(TranslateLifecycleEvent(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED),
            VmEvent::kCrashed);
  EXPECT_EQ(TranslateLifecycleEvent(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED),
            VmEvent::kCrashed);
  EXPECT_EQ(TranslateLifecycleEvent(VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED),
            VmEvent::kCrashed);
}

TEST(TranslateLifecycleEventTest, IgnoresOtherEvents) {
  for (int event :
       {VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_SUSPENDED,
        VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_PMSUSPENDED}) {
    EXPECT_EQ(TranslateLifecycleEvent(event, 0), std::nullopt) << event;
  }
}

TEST(DomainEventSinkTest, DeliversToTheLatestCallbackUntilClosed) {
  DomainEventSink sink;
  sink.Deliver("a", VmEvent::kStarted);  // no callback yet: dropped
  int first = 0;
  int second = 0;
  sink.SetCallback([&](const std::string&, VmEvent) { ++first; });
  sink.Deliver("a", VmEvent::kStarted);
  sink.SetCallback([&](const std::string& uuid, VmEvent event) {
    EXPECT_EQ(uuid, "b");
    EXPECT_EQ(event, VmEvent::kCrashed);
    ++second;
  });
  sink.Deliver("b", VmEvent::kCrashed);
  sink.Close();
  sink.Deliver("b", VmEvent::kCrashed);
  sink.SetCallback([&](const std::string&, VmEvent) { ++first; });
  sink.Deliver("b", VmEvent::kCrashed);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
}

}  // namespace
}  // namespace novacron::vm
