// Heartbeat benchmark (issue 9, section 7): N simulated members in one process, each an
// EtcdSession with its own real lease renewed every TTL/3, against a real 3-member etcd cluster
// on loopback (tests/servers/etcd_cluster.h). Prints the renewal round trip (p50, p99, max), how
// many sessions lost their lease (the goal: none), and the CPU the three etcd members used.
// Usage: heartbeat_bench [--members N] [--seconds S] [--ttl T] [--quick]
//   (--quick: 50 members for 4 s; for smoke tests)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.h"
#include "cluster/etcd_session.h"
#include "servers/etcd_cluster.h"

namespace {

using novacron::cluster::EtcdClient;
using novacron::cluster::EtcdSession;
using novacron::testing::EtcdCluster;
using Clock = std::chrono::steady_clock;

// CPU seconds (user + system) used so far by every process whose command line mentions `needle`.
double CpuSecondsOf(const std::string& needle) {
  double total = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(needle) == std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the ")" that ends the command name: state is field 3; utime 14, stime 15.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    total += (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return total;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[index];
}

}  // namespace

int main(int argc, char** argv) {
  int members = 1000;
  int seconds = 20;
  int ttl = 10;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (std::strcmp(argv[i], "--members") == 0) {
      members = next();
    } else if (std::strcmp(argv[i], "--seconds") == 0) {
      seconds = next();
    } else if (std::strcmp(argv[i], "--ttl") == 0) {
      ttl = next();
    } else if (std::strcmp(argv[i], "--quick") == 0) {
      members = 50;
      seconds = 4;
      ttl = 3;
    } else {
      std::fprintf(stderr,
                   "usage: heartbeat_bench [--members N] [--seconds S] [--ttl T] [--quick]\n");
      return 2;
    }
  }
  if (members < 1 || seconds < 1 || ttl < 2) {
    std::fprintf(stderr, "heartbeat_bench: need members >= 1, seconds >= 1, ttl >= 2\n");
    return 2;
  }
  if (std::string why = EtcdCluster::SkipReason(); !why.empty()) {
    std::printf("heartbeat_bench: skipped: %s\n", why.c_str());
    return 0;
  }
  EtcdCluster etcd({.members = 3});
  if (auto started = etcd.Start(); !started.ok()) {
    std::fprintf(stderr, "heartbeat_bench: %s\n", started.ToString().c_str());
    return 1;
  }
  auto client = EtcdClient::Connect({.endpoints = etcd.Endpoints()});
  if (!client.ok()) {
    std::fprintf(stderr, "heartbeat_bench: %s\n", client.status().ToString().c_str());
    return 1;
  }

  std::mutex mu;
  std::vector<double> ok_ms;  // guarded by mu
  std::atomic<int> failed{0}, lost{0}, granted{0};
  std::vector<std::unique_ptr<EtcdSession>> sessions;
  const double cpu_before = CpuSecondsOf(etcd.dir().string());
  const auto started = Clock::now();
  for (int i = 0; i < members; ++i) {
    EtcdSession::Options options;
    options.ttl = std::chrono::seconds(ttl);
    options.on_change = [&](bool alive, int64_t) { (alive ? granted : lost)++; };
    options.on_renewal = [&](std::chrono::duration<double> latency, bool ok) {
      if (!ok) {
        ++failed;
        return;
      }
      std::lock_guard lock(mu);
      ok_ms.push_back(latency.count() * 1000);
    };
    sessions.push_back(EtcdSession::Start(**client, std::move(options)));
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  const double cpu = CpuSecondsOf(etcd.dir().string()) - cpu_before;
  std::vector<double> latencies;
  {
    std::lock_guard lock(mu);
    latencies = ok_ms;
  }
  sessions.clear();  // revokes every lease

  std::printf(
      "Heartbeats: %d members (one lease each, TTL %d s, renewed every %.1f s) against a "
      "3-member etcd on loopback, %d s\n\n",
      members, ttl, ttl / 3.0, seconds);
  std::printf("| %-26s | %12s |\n|%s|%s|\n", "what", "value", std::string(28, '-').c_str(),
              std::string(14, '-').c_str());
  std::printf("| %-26s | %12d |\n", "leases granted", granted.load());
  std::printf("| %-26s | %12zu |\n", "renewals ok", latencies.size());
  std::printf("| %-26s | %12d |\n", "renewals failed", failed.load());
  std::printf("| %-26s | %12.1f |\n", "renewals per second", latencies.size() / elapsed);
  std::printf("| %-26s | %12.2f |\n", "renew p50 ms", Percentile(latencies, 0.50));
  std::printf("| %-26s | %12.2f |\n", "renew p99 ms", Percentile(latencies, 0.99));
  std::printf("| %-26s | %12.2f |\n", "renew max ms", Percentile(latencies, 1.0));
  std::printf("| %-26s | %12.1f |\n", "etcd CPU, 3 members, %", 100.0 * cpu / elapsed);
  std::printf("| %-26s | %12d |\n", "leases lost (goal: 0)", lost.load());
  std::printf("\ngoal: no member loses its lease: %s\n", lost.load() == 0 ? "met" : "NOT met");
  std::printf("Note: the members, etcd and this process share this machine's %u CPUs.\n",
              std::thread::hardware_concurrency());
  return 0;
}
