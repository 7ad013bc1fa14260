// The bandwidth estimate (dwcp/bandwidth_estimator.h): steady links read steady, a ramp is
// followed with its trend, a step is caught within the window, and the datacenter window
// reacts faster than the internet one.
#include "dwcp/bandwidth_estimator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace novacron::dwcp {
namespace {

TEST(BandwidthEstimatorTest, WindowsFollowTheMode) {
  EXPECT_EQ(BandwidthEstimator::WindowFor(NetworkMode::kDatacenter), 10u);
  EXPECT_EQ(BandwidthEstimator::WindowFor(NetworkMode::kInternet), 60u);
  EXPECT_EQ(BandwidthEstimator::WindowFor(NetworkMode::kHybrid), 60u);
  EXPECT_EQ(BandwidthEstimator(0).window(), 2u);
}

TEST(BandwidthEstimatorTest, NothingBeforeTheFirstSampleThenASteadyLinkReadsSteady) {
  BandwidthEstimator estimator(10);
  EXPECT_FALSE(estimator.Predict().has_value());
  for (int i = 0; i < 30; ++i) estimator.Add(1.0e8);
  EXPECT_NEAR(*estimator.Predict(), 1.0e8, 1.0);
  EXPECT_EQ(estimator.samples(), 10u);  // the window bounds the memory
}

TEST(BandwidthEstimatorTest, ARampIsFollowedWithItsTrend) {
  BandwidthEstimator estimator(10);
  for (int i = 1; i <= 20; ++i) estimator.Add(1.0e7 * i);  // +10 MB/s per sample
  EXPECT_GT(estimator.trend(), 0.5e7);
  // One step ahead of 200 MB/s: about 210 MB/s, within 10 %.
  EXPECT_NEAR(*estimator.Predict(), 2.1e8, 0.21e8);
  EXPECT_GT(*estimator.Predict(5), *estimator.Predict(1));
}

TEST(BandwidthEstimatorTest, TheDatacenterWindowCatchesAStepFasterThanTheInternetOne) {
  BandwidthEstimator fast(10);
  BandwidthEstimator slow(60);
  for (int i = 0; i < 60; ++i) {
    fast.Add(1.0e8);
    slow.Add(1.0e8);
  }
  for (int i = 0; i < 10; ++i) {
    fast.Add(2.0e7);  // the link drops to a fifth
    slow.Add(2.0e7);
  }
  EXPECT_LT(*fast.Predict(), 3.0e7) << "caught within its window";
  EXPECT_GT(*slow.Predict(), *fast.Predict());
}

TEST(BandwidthEstimatorTest, NoisyInternetSamplesAverageOutAndNeverGoNegative) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(5.0e6, 2.0e6);
  BandwidthEstimator estimator(60);
  for (int i = 0; i < 200; ++i) estimator.Add(noise(rng));
  EXPECT_NEAR(*estimator.Predict(), 5.0e6, 1.5e6);
  BandwidthEstimator falling(10);
  for (int i = 10; i >= 0; --i) falling.Add(1.0e6 * i);
  EXPECT_GE(*falling.Predict(10), 0.0);
  falling.Add(-5);
  EXPECT_GE(*falling.Predict(), 0.0);
}

}  // namespace
}  // namespace novacron::dwcp
