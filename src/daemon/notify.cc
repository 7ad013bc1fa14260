#include "daemon/notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>

namespace novacron::daemon {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0) {
    watchdog_interval_ = std::chrono::microseconds(usec);
  }
}

SystemdNotifier::~SystemdNotifier() { StopWatchdog(); }

void SystemdNotifier::Send(const std::string& state) {
  if (enabled_) sd_notify(/*unset_environment=*/0, state.c_str());
}

void SystemdNotifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }
void SystemdNotifier::Status(const std::string& status) { Send("STATUS=" + status); }
void SystemdNotifier::Reloading() { Send("RELOADING=1"); }
void SystemdNotifier::Stopping() { Send("STOPPING=1\nSTATUS=stopping"); }

void SystemdNotifier::StartWatchdog(std::function<bool()> alive) {
  if (watchdog_interval_.count() == 0 || watchdog_.joinable()) return;
  watchdog_ = std::thread([this, alive = std::move(alive)] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, watchdog_interval_ / 2, [this] { return stop_watchdog_; })) {
      if (alive()) Send("WATCHDOG=1");
    }
  });
}

void SystemdNotifier::StopWatchdog() {
  {
    std::lock_guard lock(mu_);
    stop_watchdog_ = true;
  }
  cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

}  // namespace novacron::daemon
