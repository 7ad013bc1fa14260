// Real boot: process start to GET /health/ready = 200, over N runs of the real binary, and the
// daemon's RSS once ready. Each run gets a fresh data dir (first boot: creates the database)
// or reuses one (warm boot), both reported.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"

using novacron::testing::DaemonProcess;
using novacron::testing::HttpGet;
using novacron::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

long RssKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

struct Sample {
  double ready_ms;
  long rss_kib;
};

// One boot: spawn, poll readiness every 200 µs, measure, stop.
Sample Boot(const std::filesystem::path& data) {
  auto t0 = Clock::now();
  DaemonProcess daemon;
  daemon.Start(data, {}, {{"NOVACRON_SYSTEM_LOG_LEVEL", "warn"}});
  uint16_t port = 0;
  for (;;) {
    if (port == 0) {
      std::ifstream addr(data / "api.addr");
      std::string line;
      if (std::getline(addr, line) && !line.empty()) {
        port = static_cast<uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
      }
    }
    if (port != 0 && HttpGet(port, "/health/ready").status == 200) break;
    if (Clock::now() - t0 > std::chrono::seconds(30)) {
      std::fprintf(stderr, "daemon not ready after 30 s:\n%s\n", daemon.Stderr().c_str());
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  long rss = RssKiB(daemon.pid());
  daemon.Signal(SIGTERM);
  daemon.WaitExit(std::chrono::seconds(30));
  return {ms, rss};
}

void Report(const char* name, std::vector<Sample> samples) {
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.ready_ms < b.ready_ms; });
  auto at = [&](double q) { return samples[static_cast<size_t>(q * (samples.size() - 1))]; };
  long max_rss = 0;
  for (const auto& s : samples) max_rss = std::max(max_rss, s.rss_kib);
  std::printf("| %-22s | %4zu | %8.1f | %8.1f | %8.1f | %8.1f |\n", name, samples.size(),
              at(0).ready_ms, at(0.5).ready_ms, at(0.9).ready_ms, max_rss / 1024.0);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 21;
  std::printf(
      "Real boot: `novacron run` process start -> /health/ready 200 (goal: median <= "
      "100 ms, RSS <= 40 MB)\n\n");
  std::printf("| %-22s | %4s | %8s | %8s | %8s | %8s |\n", "boot", "runs", "min ms", "p50 ms",
              "p90 ms", "RSS MB");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(24, '-').c_str(), std::string(6, '-').c_str(),
              std::string(10, '-').c_str(), std::string(10, '-').c_str(),
              std::string(10, '-').c_str(), std::string(10, '-').c_str());
  std::vector<Sample> first, warm;
  TempDir dir;
  for (int i = 0; i < runs; ++i) first.push_back(Boot(dir.path() / ("fresh" + std::to_string(i))));
  for (int i = 0; i < runs; ++i) warm.push_back(Boot(dir.path() / "warm"));
  Report("first boot (new store)", first);
  Report("warm boot", warm);
  return 0;
}
