// systemd readiness and watchdog notifications (sd_notify). Every call is a no-op when the
// process was not started by systemd with Type=notify (NOTIFY_SOCKET unset).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace novacron::daemon {

class SystemdNotifier {
 public:
  SystemdNotifier();
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return enabled_; }
  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Reloading();
  void Stopping();

  // When systemd asked for a watchdog (WatchdogSec=), pings it at half the interval for as long
  // as `alive` returns true: a wedged daemon stops pinging and gets restarted.
  void StartWatchdog(std::function<bool()> alive);
  void StopWatchdog();
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

 private:
  void Send(const std::string& state);

  bool enabled_ = false;
  std::chrono::microseconds watchdog_interval_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_watchdog_ = false;
  std::thread watchdog_;
};

}  // namespace novacron::daemon
