#include "dwcp/bandwidth_estimator.h"

#include <algorithm>

namespace novacron::dwcp {

size_t BandwidthEstimator::WindowFor(NetworkMode mode) {
  return mode == NetworkMode::kDatacenter ? 10 : 60;
}

BandwidthEstimator::BandwidthEstimator(size_t window)
    : window_(std::max<size_t>(window, 2)),
      alpha_(2.0 / (static_cast<double>(window_) + 1.0)),
      beta_(alpha_ / 2.0) {}

void BandwidthEstimator::Add(double bytes_per_second) {
  samples_.push_back(std::max(0.0, bytes_per_second));
  if (samples_.size() > window_) samples_.pop_front();
  Refit();
}

void BandwidthEstimator::Refit() {
  // Start from the least-squares line through the window: exact on a ramp, and unlike the first
  // difference, not thrown off by one noisy pair (the trend smoothing is slow to forget).
  const size_t n = samples_.size();
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < n; ++i) {
    mean_x += static_cast<double>(i);
    mean_y += samples_[i];
  }
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (static_cast<double>(i) - mean_x) * (samples_[i] - mean_y);
    sxx += (static_cast<double>(i) - mean_x) * (static_cast<double>(i) - mean_x);
  }
  trend_ = sxx > 0 ? sxy / sxx : 0;
  level_ = mean_y - trend_ * mean_x;  // the line's value at the first sample
  for (size_t i = 1; i < samples_.size(); ++i) {
    const double previous = level_;
    level_ = alpha_ * samples_[i] + (1 - alpha_) * (level_ + trend_);
    trend_ = beta_ * (level_ - previous) + (1 - beta_) * trend_;
  }
}

std::optional<double> BandwidthEstimator::Predict(int steps) const {
  if (samples_.empty()) return std::nullopt;
  return std::max(0.0, level_ + static_cast<double>(steps) * trend_);
}

}  // namespace novacron::dwcp
