// Decides which network mode DWCP runs in, and keeps deciding: a forced mode wins; otherwise the
// median TCP-connect RTT to the configured peers (plus a bandwidth figure when a source provides
// one) goes through Classify() in mode.h. One detection takes at most `timeout` (2 s by
// default) however many peers there are and however they misbehave; Start() repeats it every
// `interval` and reports changes.
//
// Typical use (the `environment` component):
//   auto detector = ModeDetector::Create(options);          // validates the options
//   Detection d = (*detector)->DetectOnce();                 // at boot: the initial mode
//   (*detector)->Start([](NetworkMode old, const Detection& now) { ...reconfigure DWCP... });
//   ... (*detector)->Current() from any thread ...
//   (*detector)->Stop();                                     // at shutdown; prompt
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "dwcp/connector.h"
#include "dwcp/mode.h"

namespace novacron::dwcp {

namespace internal {
struct DetectionRound;  // one detection's shared state; probe threads may outlive it
}  // namespace internal

struct ModeDetectorOptions {
  std::optional<NetworkMode> forced_mode;        // dwcp.forced_mode: overrides detection
  std::vector<std::string> peers;                // "host:port" or "[v6]:port"; measured in parallel
  Duration timeout = std::chrono::seconds(2);    // one whole detection, all peers
  Duration interval = std::chrono::seconds(30);  // dwcp.detection_interval, for Start()
  int samples_per_peer = 3;                      // connects per peer; the median counts
  // Optional bandwidth estimate in bits/s (e.g. from transfer throughput); called once per
  // detection, must be quick and thread-safe. Without it, bandwidth is "not measured" and the
  // detector never concludes datacenter (see mode.h).
  std::function<std::optional<double>()> bandwidth_source;
  // Null: real TCP connects (MakeTcpConnector()).
  std::shared_ptr<Connector> connector;
};

struct PeerResult {
  std::string address;          // as configured
  std::optional<Duration> rtt;  // median of the successful samples
  int samples = 0;              // successful samples
  Status error;                 // why the (last) sample failed; OK if all succeeded
};

struct Detection {
  NetworkMode mode = NetworkMode::kUnknown;
  // One line for logs and status pages: "forced by dwcp.forced_mode", "median RTT 0.213 ms to
  // 2 peers; bandwidth not measured: hybrid (...)", "no peers configured ...".
  std::string reason;
  bool measured = false;            // `mode` follows from measurements (not forced, not a default)
  std::optional<Duration> latency;  // median over the peers' medians
  std::optional<double> bandwidth_bps;  // from bandwidth_source
  std::vector<PeerResult> peers;        // in configured order
  Duration duration{};                  // how long the detection took
};

class ModeDetector {
 public:
  // Called on the thread that noticed the change (the background thread, or a DetectOnce
  // caller), with detections serialized. It must not call DetectOnce() or Stop(), nor throw.
  using ModeChangeCallback = std::function<void(NetworkMode previous, const Detection& current)>;

  // InvalidArgument naming the option when peers do not parse, timeout is not in (0, 5 min],
  // interval not in (0, 24 h], samples_per_peer not in [1, 100], or forced_mode is kUnknown.
  static Result<std::unique_ptr<ModeDetector>> Create(ModeDetectorOptions options);

  ~ModeDetector();  // Stop()s
  ModeDetector(const ModeDetector&) = delete;
  ModeDetector& operator=(const ModeDetector&) = delete;

  // Measures now (or reports the forced mode) and makes the result Current(). With no peers
  // the mode is hybrid and the reason says so. A detection in which no peer answered keeps the
  // last measured mode, if there is one (a partition should not flip the data plane), and says
  // so in the reason. Fires the change callback if Start() registered one and the mode changed.
  Detection DetectOnce();

  // The last adopted detection; before any, mode kUnknown (or the forced mode). Thread-safe.
  Detection Current() const;

  // Runs DetectOnce() every `interval` on a background thread, first right away unless a
  // detection was already made. With a forced mode nothing can change, so no thread is
  // started. FailedPrecondition if already started.
  Status Start(ModeChangeCallback on_change);

  // Stops the background thread: interrupts the interval wait and any detection in flight
  // (which is then discarded), and joins. Idempotent.
  void Stop();

 private:
  explicit ModeDetector(ModeDetectorOptions options);
  // One detection; nullopt when cancelled by Stop() (or, from the loop, when stopping).
  std::optional<Detection> RunDetection(bool from_loop);
  std::optional<Detection> Measure(const std::shared_ptr<internal::DetectionRound>& round);
  void Loop();

  const ModeDetectorOptions options_;

  std::mutex detect_mu_;  // serializes DetectOnce(); held while the callback runs

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  Detection current_;
  bool detected_ = false;
  bool stopping_ = false;
  std::optional<NetworkMode> last_measured_mode_;
  std::shared_ptr<internal::DetectionRound> active_round_;  // in flight; Stop() cancels it
  ModeChangeCallback on_change_;
  std::thread loop_;
};

}  // namespace novacron::dwcp
