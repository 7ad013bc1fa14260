#include "dwcp/mode_detector.h"

#include <algorithm>
#include <exception>
#include <system_error>
#include <utility>

namespace novacron::dwcp {
namespace internal {

// Shared between a detection and its probe threads (one per peer). A probe still running when
// the detection gives up (a hung name lookup) keeps this alive and finishes on its own.
struct DetectionRound {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<PeerResult> results;
  std::vector<bool> done;
  size_t remaining = 0;
  bool cancelled = false;
};

}  // namespace internal

namespace {

using internal::DetectionRound;

Duration Median(std::vector<Duration> values) {
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return (values[mid - 1] + values[mid]) / 2;
}

// Takes up to `samples` connect timings to `peer`, stopping at the first failure (a refused or
// unresolvable peer fails the same way again; a timeout has used up the deadline).
PeerResult SamplePeer(DetectionRound& round, Connector& connector, const std::string& peer,
                      int samples, Clock::time_point deadline) {
  PeerResult result;
  result.address = peer;
  std::vector<Duration> rtts;
  for (int i = 0; i < samples; ++i) {
    {
      std::lock_guard<std::mutex> lock(round.mu);
      if (round.cancelled) break;
    }
    Result<Duration> rtt = Internal("connect " + peer + ": not attempted");
    try {
      rtt = connector.TimeConnect(peer, deadline);
    } catch (const std::exception& e) {
      rtt = Internal("connect " + peer + ": " + e.what());
    }
    if (!rtt.ok()) {
      result.error = rtt.status();
      break;
    }
    rtts.push_back(*rtt);
  }
  result.samples = static_cast<int>(rtts.size());
  if (!rtts.empty()) result.rtt = Median(std::move(rtts));
  return result;
}

void ProbeThread(std::shared_ptr<DetectionRound> round, std::shared_ptr<Connector> connector,
                 size_t index, std::string peer, int samples, Clock::time_point deadline) {
  PeerResult result = SamplePeer(*round, *connector, peer, samples, deadline);
  std::lock_guard<std::mutex> lock(round->mu);
  round->results[index] = std::move(result);
  round->done[index] = true;
  --round->remaining;
  round->cv.notify_all();
}

std::string JoinErrors(const std::vector<PeerResult>& peers) {
  std::string out;
  for (const PeerResult& p : peers) {
    if (p.rtt) continue;
    if (!out.empty()) out += "; ";
    out += p.error.ToString();
  }
  return out;
}

// Turns the peers' results into a mode and a one-line reason.
Detection Conclude(std::vector<PeerResult> peers, std::optional<double> bandwidth_bps) {
  Detection d;
  d.bandwidth_bps = bandwidth_bps;
  std::vector<Duration> medians;
  for (const PeerResult& p : peers) {
    if (p.rtt) medians.push_back(*p.rtt);
  }
  const size_t failed = peers.size() - medians.size();
  if (!medians.empty()) d.latency = Median(medians);

  std::string latency_part;
  if (d.latency) {
    latency_part = "median RTT " + FormatLatency(*d.latency) + " to " +
                   std::to_string(medians.size()) + (medians.size() == 1 ? " peer" : " peers");
    if (failed > 0) {
      latency_part += " (" + std::to_string(failed) + " of " + std::to_string(peers.size()) +
                      " unreachable: " + JoinErrors(peers) + ")";
    }
  } else {
    latency_part = "no peer answered (" + JoinErrors(peers) + ")";
  }
  const std::string bandwidth_part =
      bandwidth_bps ? "bandwidth " + FormatBandwidth(*bandwidth_bps) : "bandwidth not measured";

  const Classification c = ClassifyExplained(d.latency, bandwidth_bps);
  if (c.mode == NetworkMode::kUnknown) {
    d.mode = NetworkMode::kHybrid;
    d.reason = latency_part + "; " + bandwidth_part + ": mode unknown, defaulting to hybrid";
  } else {
    d.mode = c.mode;
    d.measured = true;
    d.reason = latency_part + "; " + bandwidth_part + ": " + std::string(NetworkModeName(c.mode)) +
               " (" + c.rule + ")";
  }
  d.peers = std::move(peers);
  return d;
}

Detection ForcedDetection(NetworkMode mode) {
  Detection d;
  d.mode = mode;
  d.reason = "forced by dwcp.forced_mode";
  return d;
}

}  // namespace

Result<std::unique_ptr<ModeDetector>> ModeDetector::Create(ModeDetectorOptions options) {
  if (options.forced_mode == NetworkMode::kUnknown) {
    return InvalidArgument("dwcp.forced_mode: 'unknown' cannot be forced");
  }
  for (size_t i = 0; i < options.peers.size(); ++i) {
    Result<HostPort> hp = SplitHostPort(options.peers[i]);
    if (!hp.ok()) {
      return hp.status().Wrap("dwcp.detection_peers[" + std::to_string(i) + "]");
    }
  }
  using std::chrono::hours;
  using std::chrono::minutes;
  if (options.timeout <= Duration::zero() || options.timeout > minutes(5)) {
    return InvalidArgument("dwcp mode detection timeout must be in (0, 5m], got " +
                           FormatLatency(options.timeout));
  }
  if (options.interval <= Duration::zero() || options.interval > hours(24)) {
    return InvalidArgument("dwcp.detection_interval must be in (0, 24h], got " +
                           FormatLatency(options.interval));
  }
  if (options.samples_per_peer < 1 || options.samples_per_peer > 100) {
    return InvalidArgument("dwcp mode detection samples_per_peer must be in [1, 100], got " +
                           std::to_string(options.samples_per_peer));
  }
  if (!options.connector) options.connector = MakeTcpConnector();
  return std::unique_ptr<ModeDetector>(new ModeDetector(std::move(options)));
}

ModeDetector::ModeDetector(ModeDetectorOptions options) : options_(std::move(options)) {
  if (options_.forced_mode) {
    current_ = ForcedDetection(*options_.forced_mode);
    detected_ = true;
  } else {
    current_.reason = "not detected yet";
  }
}

ModeDetector::~ModeDetector() { Stop(); }

Detection ModeDetector::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Detection ModeDetector::DetectOnce() {
  std::optional<Detection> d = RunDetection(/*from_loop=*/false);
  return d ? std::move(*d) : Current();
}

std::optional<Detection> ModeDetector::RunDetection(bool from_loop) {
  std::lock_guard<std::mutex> detect_lock(detect_mu_);
  auto round = std::make_shared<DetectionRound>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (from_loop && stopping_) return std::nullopt;
    active_round_ = round;
  }
  std::optional<Detection> d = Measure(round);

  ModeChangeCallback callback;
  NetworkMode previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_round_ == round) active_round_.reset();
    if (!d) return std::nullopt;
    if (d->measured) {
      last_measured_mode_ = d->mode;
    } else if (last_measured_mode_ && !options_.forced_mode) {
      // Nothing answered this time: a partition or a restart of the peers should not flip
      // the data plane to another mode.
      d->mode = *last_measured_mode_;
      d->reason += "; keeping last measured mode " + std::string(NetworkModeName(d->mode));
    }
    previous = current_.mode;
    current_ = *d;
    detected_ = true;
    callback = on_change_;
  }
  if (callback && previous != d->mode) {
    try {
      callback(previous, *d);
    } catch (...) {
      // The callback's contract is not to throw; keep detecting rather than terminate.
    }
  }
  return d;
}

std::optional<Detection> ModeDetector::Measure(const std::shared_ptr<DetectionRound>& round) {
  const auto start = Clock::now();
  if (options_.forced_mode) return ForcedDetection(*options_.forced_mode);
  if (options_.peers.empty()) {
    Detection d;
    d.mode = NetworkMode::kHybrid;
    d.reason = "no peers configured (dwcp.detection_peers): mode unknown, defaulting to hybrid";
    d.duration = Clock::now() - start;
    return d;
  }
  const auto deadline = start + options_.timeout;
  const size_t n = options_.peers.size();
  {
    std::lock_guard<std::mutex> lock(round->mu);
    round->results.resize(n);
    round->done.assign(n, false);
    round->remaining = n;
  }
  std::vector<std::thread> threads(n);
  for (size_t i = 0; i < n; ++i) {
    try {
      threads[i] = std::thread(ProbeThread, round, options_.connector, i, options_.peers[i],
                               options_.samples_per_peer, deadline);
    } catch (const std::system_error& e) {
      std::lock_guard<std::mutex> lock(round->mu);
      round->results[i].address = options_.peers[i];
      round->results[i].error =
          ResourceExhausted("probe thread for peer " + options_.peers[i] + ": " + e.what());
      round->done[i] = true;
      --round->remaining;
    }
  }

  std::vector<PeerResult> results;
  std::vector<bool> done;
  bool cancelled;
  {
    std::unique_lock<std::mutex> lock(round->mu);
    round->cv.wait_until(lock, deadline, [&] { return round->remaining == 0 || round->cancelled; });
    results = round->results;
    done = round->done;
    cancelled = round->cancelled;
  }
  for (size_t i = 0; i < n; ++i) {
    if (!threads[i].joinable()) continue;
    if (done[i]) {
      threads[i].join();  // it has already published its result
    } else {
      threads[i].detach();  // bounded by its own deadline, or stuck in name resolution
    }
  }
  if (cancelled) return std::nullopt;

  for (size_t i = 0; i < n; ++i) {
    if (done[i]) continue;
    results[i].address = options_.peers[i];
    results[i].error = DeadlineExceeded("peer " + options_.peers[i] + ": no answer within " +
                                        FormatLatency(options_.timeout) +
                                        " (name resolution or connect still running)");
  }

  std::optional<double> bandwidth;
  if (options_.bandwidth_source) {
    try {
      bandwidth = options_.bandwidth_source();
    } catch (...) {
      bandwidth.reset();  // a failing estimate is no estimate
    }
  }
  Detection d = Conclude(std::move(results), bandwidth);
  d.duration = Clock::now() - start;
  return d;
}

Status ModeDetector::Start(ModeChangeCallback on_change) {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_.joinable()) return FailedPrecondition("dwcp mode detector: already started");
  on_change_ = std::move(on_change);
  if (options_.forced_mode) return Status::Ok();  // nothing can change
  stopping_ = false;
  try {
    loop_ = std::thread(&ModeDetector::Loop, this);
  } catch (const std::system_error& e) {
    return ResourceExhausted(std::string("dwcp mode detector: cannot start thread: ") + e.what());
  }
  return Status::Ok();
}

void ModeDetector::Stop() {
  std::thread loop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (active_round_) {
      std::lock_guard<std::mutex> round_lock(active_round_->mu);
      active_round_->cancelled = true;
      active_round_->cv.notify_all();
    }
    wake_.notify_all();
    // Called from the callback on the loop thread: it will exit on its own; a later Stop()
    // or the destructor (from another thread) joins it.
    if (loop_.get_id() == std::this_thread::get_id()) return;
    loop = std::move(loop_);
  }
  if (loop.joinable()) loop.join();
}

void ModeDetector::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool run_now = !detected_;
  while (!stopping_) {
    if (!run_now) {
      wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
      if (stopping_) break;
    }
    run_now = false;
    lock.unlock();
    (void)RunDetection(/*from_loop=*/true);
    lock.lock();
  }
}

}  // namespace novacron::dwcp
