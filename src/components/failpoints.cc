#include "components/failpoints.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/units.h"

namespace novacron::components {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<Failpoint> ParseAction(std::string_view action) {
  Failpoint fp;
  fp.text = std::string(action);
  std::string_view name = action;
  std::string_view arg;
  if (auto open = action.find('('); open != std::string_view::npos) {
    if (action.back() != ')') return InvalidArgument("missing ')'");
    name = action.substr(0, open);
    arg = action.substr(open + 1, action.size() - open - 2);
  }
  if (name == "delay") {
    auto d = config::ParseDuration(arg);
    if (!d.ok()) return InvalidArgument("delay(DURATION): " + d.status().message());
    fp.kind = Failpoint::Kind::kDelay;
    fp.delay = *d;
  } else if (name == "fail" && arg.empty()) {
    fp.kind = Failpoint::Kind::kFail;
  } else if (name == "fail") {
    int n = 0;
    for (char c : arg) {
      if (c < '0' || c > '9' || n > 1000) return InvalidArgument("fail(N) needs a small count");
      n = n * 10 + (c - '0');
    }
    fp.kind = Failpoint::Kind::kFailTimes;
    fp.times = n;
  } else if (name == "hang" && arg.empty()) {
    fp.kind = Failpoint::Kind::kHang;
  } else {
    return InvalidArgument("unknown action (want delay(D), fail, fail(N) or hang)");
  }
  return fp;
}

// Waits until `stop` is requested or `timeout` passes; true when stopped.
bool WaitForStop(std::stop_token stop, std::chrono::milliseconds timeout) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  return cv.wait_for(lock, stop, timeout, [] { return false; });
}

}  // namespace

Result<Failpoints> Failpoints::Parse(std::string_view spec) {
  Failpoints out;
  while (!spec.empty()) {
    auto end = spec.find(';');
    std::string_view entry = Trim(spec.substr(0, end));
    spec = end == std::string_view::npos ? std::string_view() : spec.substr(end + 1);
    if (entry.empty()) continue;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("NOVACRON_FAILPOINTS: '" + std::string(entry) +
                             "': want component=action");
    }
    std::string component(Trim(entry.substr(0, eq)));
    auto fp = ParseAction(Trim(entry.substr(eq + 1)));
    if (!fp.ok()) {
      return InvalidArgument("NOVACRON_FAILPOINTS: '" + std::string(entry) +
                             "': " + fp.status().message());
    }
    out.points_[component] = std::move(*fp);
  }
  return out;
}

Status Failpoints::Apply(std::string_view component, int attempt, std::stop_token stop) const {
  auto it = points_.find(component);
  if (it == points_.end()) return {};
  const Failpoint& fp = it->second;
  switch (fp.kind) {
    case Failpoint::Kind::kDelay:
      if (WaitForStop(stop, fp.delay)) return Cancelled("failpoint delay interrupted");
      return {};
    case Failpoint::Kind::kFail:
      return Internal("failpoint '" + fp.text + "' injected a failure");
    case Failpoint::Kind::kFailTimes:
      if (attempt <= fp.times) {
        return Unavailable("failpoint '" + fp.text + "' injected failure " +
                           std::to_string(attempt) + " of " + std::to_string(fp.times));
      }
      return {};
    case Failpoint::Kind::kHang:
      WaitForStop(stop, std::chrono::hours(24 * 365));
      return Cancelled("failpoint hang interrupted");
  }
  return {};
}

}  // namespace novacron::components
