#include "daemon/signals.h"

#include <pthread.h>
#include <signal.h>

namespace novacron::daemon {
namespace {

// SIGUSR2 is internal: it wakes the watcher thread so the destructor can join it.
constexpr int kWakeSignal = SIGUSR2;

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, kWakeSignal);
  return set;
}

}  // namespace

void BlockDaemonSignals() {
  sigset_t set = WatchedSignals();
  sigaddset(&set, SIGPIPE);  // a closed socket or stderr must not kill the daemon
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(SignalHandlers handlers) : handlers_(std::move(handlers)) {
  thread_ = std::thread([this] {
    sigset_t set = WatchedSignals();
    int stops = 0;
    for (;;) {
      int signo = 0;
      if (sigwait(&set, &signo) != 0) continue;
      if (signo == kWakeSignal) return;
      if (signo == SIGHUP) {
        if (handlers_.on_reload) handlers_.on_reload();
      } else if (++stops == 1) {
        if (handlers_.on_stop) handlers_.on_stop(signo);
      } else if (handlers_.on_force) {
        handlers_.on_force(signo);
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  if (thread_.joinable()) {
    pthread_kill(thread_.native_handle(), kWakeSignal);
    thread_.join();
  }
}

}  // namespace novacron::daemon
