#include "lifecycle/breaker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace novacron::lifecycle {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

// A clock the test moves by hand.
struct FakeClock {
  std::atomic<Clock::rep> ticks{0};
  Clock::time_point Now() const { return Clock::time_point(Duration(ticks.load())); }
  void Advance(Duration d) { ticks += d.count(); }
};

CircuitBreaker MakeBreaker(FakeClock& clock) {
  return CircuitBreaker("database", {.failure_threshold = 3, .cool_down = 30s, .now = [&clock] {
                                       return clock.Now();
                                     }});
}

TEST(CircuitBreakerTest, OpensAfterThreeConsecutiveFailures) {
  FakeClock clock;
  CircuitBreaker b = MakeBreaker(clock);
  b.RecordFailure();
  b.RecordFailure();
  b.RecordSuccess();  // resets the streak
  b.RecordFailure();
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kClosed);
  EXPECT_TRUE(b.Allow());
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_FALSE(b.Allow());
}

TEST(CircuitBreakerTest, HalfOpenAfterCoolDownLetsOneTrialThrough) {
  FakeClock clock;
  CircuitBreaker b = MakeBreaker(clock);
  for (int i = 0; i < 3; ++i) b.RecordFailure();
  clock.Advance(29s);
  EXPECT_FALSE(b.Allow());
  clock.Advance(1s);
  EXPECT_EQ(b.state(), State::kHalfOpen);
  EXPECT_TRUE(b.Allow());   // the trial
  EXPECT_FALSE(b.Allow());  // others wait for its outcome
  b.RecordSuccess();
  EXPECT_EQ(b.state(), State::kClosed);
  EXPECT_TRUE(b.Allow());
}

TEST(CircuitBreakerTest, FailedTrialReopensForAnotherCoolDown) {
  FakeClock clock;
  CircuitBreaker b = MakeBreaker(clock);
  for (int i = 0; i < 3; ++i) b.RecordFailure();
  clock.Advance(30s);
  ASSERT_TRUE(b.Allow());
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_FALSE(b.Allow());
  clock.Advance(30s);
  EXPECT_TRUE(b.Allow());
}

TEST(CircuitBreakerTest, CallFailsFastWhileOpenAndCountsOnlyRetriableErrors) {
  FakeClock clock;
  CircuitBreaker b = MakeBreaker(clock);
  int calls = 0;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(b.Call([&] {
                 ++calls;
                 return NotFound("no such row");
               }).code(),
              ErrorCode::kNotFound);
  }
  EXPECT_EQ(b.state(), State::kClosed);  // the dependency answered
  for (int i = 0; i < 3; ++i) {
    (void)b.Call([&] {
      ++calls;
      return Unavailable("connection refused");
    });
  }
  EXPECT_EQ(calls, 8);
  Status s = b.Call([&] {
    ++calls;
    return Status::Ok();
  });
  EXPECT_EQ(calls, 8);  // not called
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(s.message(), "circuit 'database' is open: failing fast");
  EXPECT_EQ(BreakerStateName(b.state()), "open");
}

TEST(CircuitBreakerTest, ConcurrentCallsAreSafe) {
  FakeClock clock;
  CircuitBreaker b = MakeBreaker(clock);
  std::atomic<int> calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        (void)b.Call([&] {
          ++calls;
          return Unavailable("down");
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  // Once open (after 3 failures), no call goes through without the clock moving; calls that had
  // passed Allow() before it opened may still complete.
  EXPECT_LE(calls.load(), 3 + 4);
  EXPECT_EQ(b.state(), State::kOpen);
}

}  // namespace
}  // namespace novacron::lifecycle
