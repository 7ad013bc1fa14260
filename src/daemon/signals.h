// Process signals for the daemon: SIGTERM/SIGINT request a graceful stop (a second one forces
// exit), SIGHUP requests a reload. Signals are blocked in every thread and taken by one
// dedicated thread with sigwait, so handlers may lock, log and allocate.
#pragma once

#include <functional>
#include <thread>

namespace novacron::daemon {

struct SignalHandlers {
  std::function<void(int signo)> on_stop;   // first SIGTERM/SIGINT
  std::function<void(int signo)> on_force;  // second SIGTERM/SIGINT; should not return
  std::function<void()> on_reload;          // SIGHUP
};

// Blocks SIGTERM, SIGINT, SIGHUP (and SIGPIPE) in the calling thread; call it first in main(),
// before any thread exists, so every thread inherits the mask.
void BlockDaemonSignals();

class SignalWatcher {
 public:
  explicit SignalWatcher(SignalHandlers handlers);
  ~SignalWatcher();  // stops the thread
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  SignalHandlers handlers_;
  std::thread thread_;
};

}  // namespace novacron::daemon
