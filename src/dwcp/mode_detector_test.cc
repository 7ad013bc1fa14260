#include "dwcp/mode_detector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <utility>

#include "dwcp/loopback_for_test.h"

namespace novacron::dwcp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Generous bound for "returned promptly" on a noisy 2-core machine; what is tested is that a
// much longer timeout or interval was not waited out.
constexpr auto kPrompt = seconds(5);

// A connect time of `ms` milliseconds, as a connector returns it.
Result<Duration> Ms(int64_t ms) { return Duration(milliseconds(ms)); }

// A connector whose behaviour is a function; counts calls.
class FnConnector final : public Connector {
 public:
  using Fn = std::function<Result<Duration>(const std::string&, Clock::time_point)>;
  explicit FnConnector(Fn fn) : fn_(std::move(fn)) {}
  Result<Duration> TimeConnect(const std::string& peer, Clock::time_point deadline) override {
    calls_.fetch_add(1);
    return fn_(peer, deadline);
  }
  int calls() const { return calls_.load(); }

 private:
  Fn fn_;
  std::atomic<int> calls_{0};
};

// A latch tests open to let blocked connectors go.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;

  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  // Blocks until opened (or `until`, if given).
  void Wait(std::optional<Clock::time_point> until = std::nullopt) {
    std::unique_lock<std::mutex> lock(mu);
    ++waiting;
    cv.notify_all();
    if (until) {
      cv.wait_until(lock, *until, [&] { return open; });
    } else {
      cv.wait(lock, [&] { return open; });
    }
  }
  bool WaitForWaiter(Duration within) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, within, [&] { return waiting > 0; });
  }
};

// Records mode changes reported to the Start() callback.
struct ChangeRecorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<NetworkMode, NetworkMode>> changes;  // (previous, current)

  ModeDetector::ModeChangeCallback Callback() {
    return [this](NetworkMode previous, const Detection& current) {
      std::lock_guard<std::mutex> lock(mu);
      changes.emplace_back(previous, current.mode);
      cv.notify_all();
    };
  }
  // Waits until a change to `mode` was recorded; false after a generous timeout.
  bool WaitForChangeTo(NetworkMode mode) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, seconds(30), [&] {
      for (const auto& c : changes) {
        if (c.second == mode) return true;
      }
      return false;
    });
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return changes.size();
  }
};

std::unique_ptr<ModeDetector> MustCreate(ModeDetectorOptions options) {
  auto d = ModeDetector::Create(std::move(options));
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(d).value() : nullptr;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ModeDetectorCreateTest, RejectsBadOptionsNamingThem) {
  ModeDetectorOptions o;
  o.peers = {"10.0.0.1:9090", "nope"};
  auto d = ModeDetector::Create(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(d.status().ToString(), "dwcp.detection_peers[1]")) << d.status().ToString();
  EXPECT_TRUE(Contains(d.status().ToString(), "'nope'"));

  o = {};
  o.timeout = Duration::zero();
  EXPECT_FALSE(ModeDetector::Create(o).ok());
  o = {};
  o.interval = hours(48);
  EXPECT_TRUE(Contains(ModeDetector::Create(o).status().message(), "dwcp.detection_interval"));
  o = {};
  o.samples_per_peer = 0;
  EXPECT_FALSE(ModeDetector::Create(o).ok());
  o = {};
  o.forced_mode = NetworkMode::kUnknown;
  EXPECT_TRUE(Contains(ModeDetector::Create(o).status().message(), "dwcp.forced_mode"));
}

TEST(ModeDetectorTest, ForcedModeOverridesWithoutMeasuring) {
  auto connector = std::make_shared<FnConnector>(
      [](const std::string&, Clock::time_point) -> Result<Duration> { return Ms(1); });
  ModeDetectorOptions o;
  o.forced_mode = NetworkMode::kInternet;
  o.peers = {"127.0.0.1:1"};
  o.connector = connector;
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->Current().mode, NetworkMode::kInternet) << "known before any detection";
  const Detection d = detector->DetectOnce();
  EXPECT_EQ(d.mode, NetworkMode::kInternet);
  EXPECT_EQ(d.reason, "forced by dwcp.forced_mode");
  EXPECT_FALSE(d.measured);
  EXPECT_TRUE(d.peers.empty());
  EXPECT_EQ(connector->calls(), 0);
  EXPECT_TRUE(detector->Start(nullptr).ok());
  detector->Stop();
}

TEST(ModeDetectorTest, NoPeersSaysSoAndDefaultsToHybrid) {
  auto detector = MustCreate({});
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->Current().mode, NetworkMode::kUnknown);
  const Detection d = detector->DetectOnce();
  EXPECT_EQ(d.mode, NetworkMode::kHybrid);
  EXPECT_FALSE(d.measured);
  EXPECT_FALSE(d.latency.has_value());
  EXPECT_EQ(d.reason,
            "no peers configured (dwcp.detection_peers): mode unknown, defaulting to hybrid");
  EXPECT_EQ(detector->Current().mode, NetworkMode::kHybrid);
}

TEST(ModeDetectorTest, MeasuresRealLoopbackPeers) {
  AcceptingPeer a, b;
  ModeDetectorOptions o;
  o.peers = {a.address(), b.address()};
  o.timeout = seconds(10);
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  const Detection d = detector->DetectOnce();
  ASSERT_EQ(d.peers.size(), 2u);
  for (const PeerResult& p : d.peers) {
    ASSERT_TRUE(p.rtt.has_value()) << p.address << ": " << p.error.ToString();
    EXPECT_GT(p.rtt->count(), 0);
    EXPECT_EQ(p.samples, 3);
    EXPECT_TRUE(p.error.ok());
  }
  EXPECT_EQ(d.peers[0].address, a.address());
  ASSERT_TRUE(d.latency.has_value());
  EXPECT_TRUE(d.measured);
  // Loopback is fast, but with no bandwidth figure the rule in mode.h says hybrid.
  EXPECT_EQ(d.mode, Classify(d.latency, std::nullopt));
  EXPECT_TRUE(Contains(d.reason, "median RTT ")) << d.reason;
  EXPECT_TRUE(Contains(d.reason, " to 2 peers; bandwidth not measured")) << d.reason;
  EXPECT_LE(d.duration, seconds(10));
}

TEST(ModeDetectorTest, BandwidthSourceCompletesTheClassification) {
  AcceptingPeer peer;
  ModeDetectorOptions o;
  o.peers = {peer.address()};
  o.timeout = seconds(10);
  o.bandwidth_source = [] { return std::optional<double>(25e9); };
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  const Detection d = detector->DetectOnce();
  ASSERT_TRUE(d.latency.has_value());
  ASSERT_EQ(d.bandwidth_bps, 25e9);
  EXPECT_EQ(d.mode, Classify(d.latency, 25e9));
  if (*d.latency < kDatacenterMaxLatency) {
    EXPECT_EQ(d.mode, NetworkMode::kDatacenter);
  }
  EXPECT_TRUE(Contains(d.reason, "bandwidth 25 Gbps")) << d.reason;
}

TEST(ModeDetectorTest, RefusedPeerIsReportedWithoutWaitingForTheTimeout) {
  RefusingPeer peer;
  ModeDetectorOptions o;
  o.peers = {peer.address()};
  o.timeout = seconds(60);
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  const Detection d = detector->DetectOnce();
  EXPECT_LT(d.duration, kPrompt);
  ASSERT_EQ(d.peers.size(), 1u);
  EXPECT_FALSE(d.peers[0].rtt.has_value());
  EXPECT_EQ(d.peers[0].error.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(Contains(d.peers[0].error.message(), "refused")) << d.peers[0].error.message();
  EXPECT_EQ(d.mode, NetworkMode::kHybrid);
  EXPECT_FALSE(d.measured);
  EXPECT_TRUE(Contains(d.reason, "no peer answered (connect " + peer.address())) << d.reason;
  EXPECT_TRUE(Contains(d.reason, "mode unknown, defaulting to hybrid")) << d.reason;
}

TEST(ModeDetectorTest, OneUnreachablePeerOfTwoIsNamed) {
  AcceptingPeer good;
  RefusingPeer bad;
  ModeDetectorOptions o;
  o.peers = {good.address(), bad.address()};
  o.timeout = seconds(10);
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  const Detection d = detector->DetectOnce();
  EXPECT_TRUE(d.measured);
  EXPECT_TRUE(Contains(d.reason, "to 1 peer (1 of 2 unreachable: connect " + bad.address()))
      << d.reason;
}

TEST(ModeDetectorTest, SilentPeerIsBoundedByTheTimeout) {
  SilentPeer peer;
  if (!peer.ok()) GTEST_SKIP() << "could not fill a loopback accept queue on this kernel";
  ModeDetectorOptions o;
  o.peers = {peer.address()};
  o.timeout = milliseconds(300);
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  const auto start = Clock::now();
  const Detection d = detector->DetectOnce();
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(300));
  EXPECT_LT(elapsed, kPrompt);  // not the kernel's SYN retry time (minutes)
  ASSERT_EQ(d.peers.size(), 1u);
  EXPECT_EQ(d.peers[0].error.code(), ErrorCode::kDeadlineExceeded) << d.peers[0].error.ToString();
  EXPECT_EQ(d.mode, NetworkMode::kHybrid);
}

TEST(ModeDetectorTest, HungConnectorDoesNotHoldTheDetectionPastItsTimeout) {
  // Stands in for a name lookup that ignores the deadline.
  auto gate = std::make_shared<Gate>();
  auto connector = std::make_shared<FnConnector>(
      [gate](const std::string&, Clock::time_point) -> Result<Duration> {
        gate->Wait();
        return Unavailable("released");
      });
  ModeDetectorOptions o;
  o.peers = {"hung.example:9090", "127.0.0.2:9090"};
  o.timeout = milliseconds(200);
  o.connector = connector;
  Detection d;
  {
    auto detector = MustCreate(o);
    ASSERT_NE(detector, nullptr);
    d = detector->DetectOnce();
  }  // the detector is gone while its probes are still blocked
  gate->Open();
  ASSERT_EQ(d.peers.size(), 2u);
  for (const PeerResult& p : d.peers) {
    EXPECT_EQ(p.error.code(), ErrorCode::kDeadlineExceeded);
    EXPECT_TRUE(Contains(p.error.message(), "still running")) << p.error.message();
  }
  EXPECT_EQ(d.peers[1].address, "127.0.0.2:9090");
  EXPECT_GE(d.duration, milliseconds(200));
  EXPECT_LT(d.duration, kPrompt);
  EXPECT_EQ(d.mode, NetworkMode::kHybrid);
}

TEST(ModeDetectorTest, PerPeerRttIsTheMedianOfItsSamples) {
  auto mu = std::make_shared<std::mutex>();
  auto calls = std::make_shared<std::map<std::string, int>>();
  auto connector = std::make_shared<FnConnector>(
      [mu, calls](const std::string& peer, Clock::time_point) -> Result<Duration> {
        std::lock_guard<std::mutex> lock(*mu);
        const int n = (*calls)[peer]++;
        const int ms[] = {1, 90, 7};  // median 7
        return Ms(ms[n % 3] + (peer == "b:1" ? 100 : 0));
      });
  ModeDetectorOptions o;
  o.peers = {"a:1", "b:1", "c:1"};
  o.connector = connector;
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  const Detection d = detector->DetectOnce();
  ASSERT_EQ(d.peers.size(), 3u);
  EXPECT_EQ(d.peers[0].rtt, milliseconds(7));
  EXPECT_EQ(d.peers[1].rtt, milliseconds(107));
  EXPECT_EQ(d.latency, milliseconds(7));  // median over peers: 7, 7, 107
  EXPECT_EQ(d.mode, NetworkMode::kHybrid);
  EXPECT_EQ(connector->calls(), 9);
}

TEST(ModeDetectorTest, KeepsLastMeasuredModeWhenNothingAnswers) {
  auto reachable = std::make_shared<std::atomic<bool>>(true);
  auto connector = std::make_shared<FnConnector>(
      [reachable](const std::string& peer, Clock::time_point) -> Result<Duration> {
        if (reachable->load()) return Ms(80);
        return Unavailable("connect " + peer + ": Connection refused");
      });
  ModeDetectorOptions o;
  o.peers = {"a:1"};
  o.connector = connector;
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->DetectOnce().mode, NetworkMode::kInternet);
  reachable->store(false);
  const Detection d = detector->DetectOnce();
  EXPECT_EQ(d.mode, NetworkMode::kInternet);
  EXPECT_FALSE(d.measured);
  EXPECT_TRUE(Contains(d.reason, "no peer answered")) << d.reason;
  EXPECT_TRUE(Contains(d.reason, "keeping last measured mode internet")) << d.reason;
  EXPECT_EQ(detector->Current().reason, d.reason);
}

TEST(ModeDetectorTest, PeriodicDetectionReportsChangesAndStopsPromptly) {
  auto rtt = std::make_shared<std::atomic<int64_t>>(1);  // ms
  auto connector = std::make_shared<FnConnector>(
      [rtt](const std::string&, Clock::time_point) -> Result<Duration> { return Ms(rtt->load()); });
  ModeDetectorOptions o;
  o.peers = {"a:1", "b:1"};
  o.interval = milliseconds(10);
  o.connector = connector;
  o.bandwidth_source = [] { return std::optional<double>(10e9); };
  ChangeRecorder recorder;  // outlives the detector, whose thread calls it
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  ASSERT_TRUE(detector->Start(recorder.Callback()).ok());
  EXPECT_EQ(detector->Start(nullptr).code(), ErrorCode::kFailedPrecondition);

  ASSERT_TRUE(recorder.WaitForChangeTo(NetworkMode::kDatacenter));
  rtt->store(80);
  ASSERT_TRUE(recorder.WaitForChangeTo(NetworkMode::kInternet));
  EXPECT_EQ(detector->Current().mode, NetworkMode::kInternet);
  rtt->store(20);
  ASSERT_TRUE(recorder.WaitForChangeTo(NetworkMode::kHybrid));

  const auto start = Clock::now();
  detector->Stop();
  EXPECT_LT(Clock::now() - start, kPrompt);
  std::lock_guard<std::mutex> lock(recorder.mu);
  ASSERT_GE(recorder.changes.size(), 3u);
  EXPECT_EQ(recorder.changes[0], std::make_pair(NetworkMode::kUnknown, NetworkMode::kDatacenter));
  EXPECT_EQ(recorder.changes[1], std::make_pair(NetworkMode::kDatacenter, NetworkMode::kInternet));
  for (const auto& [previous, current] : recorder.changes) EXPECT_NE(previous, current);
}

TEST(ModeDetectorTest, StopDoesNotSleepThroughALongInterval) {
  auto connector = std::make_shared<FnConnector>(
      [](const std::string&, Clock::time_point) -> Result<Duration> { return Ms(80); });
  ModeDetectorOptions o;
  o.peers = {"a:1"};
  o.interval = hours(1);
  o.connector = connector;
  ChangeRecorder recorder;  // outlives the detector, whose thread calls it
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  ASSERT_TRUE(detector->Start(recorder.Callback()).ok());
  ASSERT_TRUE(recorder.WaitForChangeTo(NetworkMode::kInternet));  // the first, immediate run
  const auto start = Clock::now();
  detector->Stop();
  EXPECT_LT(Clock::now() - start, kPrompt);
  EXPECT_EQ(connector->calls(), 3);
  detector->Stop();  // idempotent
}

TEST(ModeDetectorTest, StopInterruptsADetectionInFlight) {
  auto gate = std::make_shared<Gate>();
  auto connector = std::make_shared<FnConnector>(
      [gate](const std::string&, Clock::time_point deadline) -> Result<Duration> {
        gate->Wait(deadline);
        return DeadlineExceeded("no answer");
      });
  ModeDetectorOptions o;
  o.peers = {"a:1"};
  o.timeout = std::chrono::minutes(5);
  o.connector = connector;
  ChangeRecorder recorder;  // outlives the detector, whose thread calls it
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  ASSERT_TRUE(detector->Start(recorder.Callback()).ok());
  ASSERT_TRUE(gate->WaitForWaiter(seconds(30)));
  const auto start = Clock::now();
  detector->Stop();
  EXPECT_LT(Clock::now() - start, kPrompt);
  EXPECT_EQ(recorder.count(), 0u) << "a cancelled detection is not adopted";
  EXPECT_EQ(detector->Current().mode, NetworkMode::kUnknown);
  gate->Open();  // let the detached probe finish
}

TEST(ModeDetectorTest, StartAfterDetectOnceWaitsAnIntervalFirst) {
  auto connector = std::make_shared<FnConnector>(
      [](const std::string&, Clock::time_point) -> Result<Duration> { return Ms(80); });
  ModeDetectorOptions o;
  o.peers = {"a:1"};
  o.samples_per_peer = 1;
  o.interval = hours(1);
  o.connector = connector;
  auto detector = MustCreate(o);
  ASSERT_NE(detector, nullptr);
  detector->DetectOnce();
  ASSERT_TRUE(detector->Start(nullptr).ok());
  detector->Stop();
  EXPECT_EQ(connector->calls(), 1);
}

}  // namespace
}  // namespace novacron::dwcp
