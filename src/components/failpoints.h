// Fault injection for tests and drills, in the manner of etcd's failpoints:
//
//   NOVACRON_FAILPOINTS="environment=delay(3s);database=fail(2);resources=fail;cache=hang"
//
//   delay(D)  sleep D before starting (returns early when the start is cancelled)
//   fail      every attempt fails (not retriable)
//   fail(N)   the first N attempts fail with a retriable error, later ones proceed
//   hang      block until the start is cancelled (tests start timeouts)
//
// Only read from the environment; the daemon logs a warning for every active failpoint.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::components {

struct Failpoint {
  enum class Kind { kDelay, kFail, kFailTimes, kHang };
  Kind kind = Kind::kFail;
  std::chrono::milliseconds delay{0};
  int times = 0;
  std::string text;  // as written, for logs
};

class Failpoints {
 public:
  // InvalidArgument naming the entry that does not parse.
  static Result<Failpoints> Parse(std::string_view spec);

  bool empty() const { return points_.empty(); }
  const std::map<std::string, Failpoint, std::less<>>& points() const { return points_; }

  // Applies the failpoint of `component` for `attempt` (1-based): OK to proceed, or the
  // injected error.
  Status Apply(std::string_view component, int attempt, std::stop_token stop) const;

 private:
  std::map<std::string, Failpoint, std::less<>> points_;
};

}  // namespace novacron::components
