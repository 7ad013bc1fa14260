#include "lifecycle/retry.h"

#include <gtest/gtest.h>

#include <set>

#include "lifecycle/component.h"

namespace novacron::lifecycle {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicyTest, SpecPolicyWaitsAboutOneThenTwoSeconds) {
  const RetryPolicy p = RetryPolicy::Spec();
  EXPECT_EQ(p.max_attempts, 3);
  EXPECT_EQ(p.BaseDelay(1), 1s);
  EXPECT_EQ(p.BaseDelay(2), 2s);
  std::mt19937_64 rng(42);
  for (int k = 0; k < 1000; ++k) {
    const auto first = p.Delay(1, rng);
    const auto second = p.Delay(2, rng);
    EXPECT_GE(first, 900ms);
    EXPECT_LE(first, 1100ms);
    EXPECT_GE(second, 1800ms);
    EXPECT_LE(second, 2200ms);
  }
}

TEST(RetryPolicyTest, JitterActuallyVaries) {
  const RetryPolicy p = RetryPolicy::Spec();
  std::mt19937_64 rng(7);
  std::set<std::chrono::milliseconds::rep> seen;
  for (int k = 0; k < 50; ++k) seen.insert(p.Delay(1, rng).count());
  EXPECT_GT(seen.size(), 10u);
}

TEST(RetryPolicyTest, DelayGrowsExponentiallyUpToTheCap) {
  RetryPolicy p{.max_attempts = 10,
                .initial_delay = 100ms,
                .multiplier = 3.0,
                .max_delay = 1000ms,
                .jitter = 0.0};
  EXPECT_EQ(p.BaseDelay(1), 100ms);
  EXPECT_EQ(p.BaseDelay(2), 300ms);
  EXPECT_EQ(p.BaseDelay(3), 900ms);
  EXPECT_EQ(p.BaseDelay(4), 1000ms);
  std::mt19937_64 rng(1);
  EXPECT_EQ(p.Delay(3, rng), 900ms);  // no jitter: exact
}

TEST(RetryPolicyTest, ValidateNamesTheField) {
  RetryPolicy p = RetryPolicy::Spec();
  EXPECT_TRUE(p.Validate().ok());
  p.max_attempts = 0;
  EXPECT_NE(p.Validate().message().find("retry.max_attempts"), std::string::npos);
  p = RetryPolicy::Spec();
  p.jitter = 1.5;
  EXPECT_NE(p.Validate().message().find("retry.jitter"), std::string::npos);
  p = RetryPolicy::Spec();
  p.multiplier = 0.5;
  EXPECT_FALSE(p.Validate().ok());
}

TEST(RetryPolicyTest, DefaultDependsOnCriticality) {
  ComponentSpec s;
  s.criticality = Criticality::kDegraded;
  EXPECT_EQ(s.EffectiveRetry().max_attempts, 3);
  EXPECT_EQ(s.EffectiveRetry().initial_delay, 1s);
  s.criticality = Criticality::kCritical;
  EXPECT_EQ(s.EffectiveRetry().max_attempts, 1);
  s.criticality = Criticality::kOptional;
  EXPECT_EQ(s.EffectiveRetry().max_attempts, 1);
  s.retry = RetryPolicy{.max_attempts = 5};
  EXPECT_EQ(s.EffectiveRetry().max_attempts, 5);
}

TEST(NamesTest, RoundTrip) {
  for (Criticality c : {Criticality::kCritical, Criticality::kDegraded, Criticality::kOptional}) {
    Result<Criticality> parsed = ParseCriticality(CriticalityName(c));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, c);
  }
  for (Phase p : kAllPhases) {
    Result<Phase> parsed = ParsePhase(PhaseName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_EQ(PhaseName(Phase::kPreInit), "pre-init");
  EXPECT_EQ(CriticalityName(Criticality::kOptional), "optional");
  EXPECT_EQ(ParsePhase("preinit").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(ParseCriticality("high").status().message().find("'high'"), std::string::npos);
}

}  // namespace
}  // namespace novacron::lifecycle
