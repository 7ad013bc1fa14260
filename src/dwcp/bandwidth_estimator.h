// DWCP's prediction part, PBA (docs/dwcp.md, "Bandwidth estimate"): the bandwidth a transfer can
// expect next, from its recent throughput samples. Holt's linear smoothing (a level and a trend)
// over a sliding window of the last N samples - 10 in datacenter mode, where links are steady and
// the estimate should follow changes fast, 60 in internet mode, where single samples are noisy.
// The transport sizes its streams from it and the encoder picks codecs with it.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "dwcp/mode.h"

namespace novacron::dwcp {

class BandwidthEstimator {
 public:
  // The window of a mode: 10 samples in datacenter mode, 60 otherwise.
  static size_t WindowFor(NetworkMode mode);

  // `window` >= 2 (smaller is taken as 2).
  explicit BandwidthEstimator(size_t window);

  // One throughput sample, in bytes per second (negative is taken as 0).
  void Add(double bytes_per_second);
  // The bandwidth `steps` samples ahead (level + steps x trend, never below 0); nullopt before
  // the first sample.
  std::optional<double> Predict(int steps = 1) const;
  // The smoothed level and trend (bytes per second, and per sample) after the last sample.
  double level() const { return level_; }
  double trend() const { return trend_; }
  size_t samples() const { return samples_.size(); }
  size_t window() const { return window_; }

 private:
  // Fits a line through the retained samples, then runs the smoothing over them from it (the
  // window bounds how far back it looks).
  void Refit();

  const size_t window_;
  const double alpha_;  // level smoothing: 2 / (window + 1), as an EWMA of the same span
  const double beta_;   // trend smoothing: half of alpha, so the trend is steadier than the level
  std::deque<double> samples_;
  double level_ = 0;
  double trend_ = 0;
};

}  // namespace novacron::dwcp
