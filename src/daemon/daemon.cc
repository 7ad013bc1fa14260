#include "daemon/daemon.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "components/database_component.h"
#include "components/graph.h"
#include "components/logger_component.h"
#include "config/reload.h"
#include "config/schema.h"
#include "daemon/boot_recorder.h"
#include "daemon/notify.h"
#include "daemon/signals.h"
#include "lifecycle/engine.h"

namespace novacron::daemon {
namespace {

lifecycle::Strategy ToStrategy(config::BootStrategy s) {
  switch (s) {
    case config::BootStrategy::kEager:
      return lifecycle::Strategy::kEager;
    case config::BootStrategy::kLevels:
      return lifecycle::Strategy::kLevels;
    case config::BootStrategy::kSequential:
      return lifecycle::Strategy::kSequential;
  }
  return lifecycle::Strategy::kEager;
}

// The exit code for a failed boot: which critical component failed, and why.
int BootFailureExitCode(const lifecycle::BootReport& report) {
  for (const auto& c : report.components) {
    if (c.state != lifecycle::ComponentState::kFailed ||
        c.criticality != lifecycle::Criticality::kCritical) {
      continue;
    }
    if (c.name == "resources") return kExitFailed;
    if (c.name == "config" && c.error.code() == ErrorCode::kInvalidArgument) return kExitUsage;
  }
  return kExitBootFailed;
}

// Stop and reload requests from the signal thread to the main thread.
class Requests {
 public:
  void Stop() {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  void Reload() {
    std::lock_guard lock(mu_);
    reload_ = true;
    cv_.notify_all();
  }
  bool stop_requested() const {
    std::lock_guard lock(mu_);
    return stop_;
  }
  // Blocks until a request arrives; true for stop, false for reload.
  bool Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stop_ || reload_; });
    if (stop_) return true;
    reload_ = false;
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool reload_ = false;
};

// Applies what can change live (the log level) and names what needs a restart. `live` is the
// configuration in effect, updated with what was applied.
void Reload(const DaemonOptions& options, components::LogHub& logs,
            components::ReloadHub& reloads, SystemdNotifier& notifier, config::Config& live) {
  notifier.Reloading();
  observe::Logger log = logs.Get();
  auto next = config::LoadConfig(options.load_options);
  if (!next.ok()) {
    log.Error("reload: configuration invalid; keeping the running one",
              {{"error", next.status().ToString()}});
    notifier.Ready("reload failed: configuration invalid");
    return;
  }
  config::ReloadPlan plan = config::Diff(live, next->config);
  if (plan.empty()) log.Info("reload: configuration unchanged");
  std::vector<std::string> restart = plan.restart_required;
  std::set<std::string> applied = reloads.Apply(next->config, plan.reloadable);
  for (const std::string& key : plan.reloadable) {
    if (key == "system.log_level") {
      log.SetLevel(components::ToLogLevel(next->config.system.log_level));
      live.system.log_level = next->config.system.log_level;
      log.Info("reload: applied", {{"key", key}});
    } else if (applied.count(key) != 0) {
      if (const config::KeySpec* spec = config::FindKey(key)) {
        spec->set(live, spec->get(next->config));  // the next reload diffs against it
      }
      log.Info("reload: applied", {{"key", key}});
    } else {
      restart.push_back(key);  // reloadable in the schema, but no component applies it live yet
    }
  }
  for (const std::string& key : restart) {
    log.Warn("reload: changed, takes effect on restart", {{"key", key}});
  }
  notifier.Ready("ready (reloaded)");
}

}  // namespace

int RunDaemon(DaemonOptions options) {
  const config::Config& config = options.loaded.config;
  // Until the logger component applies the configuration: JSON or text as configured, info.
  components::LogHub logs(components::MakeConfiguredLogger([&] {
    config::Config bootstrap = config;
    bootstrap.system.log_level = config::LogLevel::kInfo;
    return bootstrap;
  }()));

  const char* failpoint_spec = std::getenv("NOVACRON_FAILPOINTS");
  // An inherited variable must not break a production node: honoured only when the
  // configuration allows it (docs/security.md).
  if (failpoint_spec != nullptr && *failpoint_spec != '\0' && !config.system.allow_failpoints) {
    logs.Get().Warn(
        "NOVACRON_FAILPOINTS is set but ignored: system.allow_failpoints is false "
        "(set NOVACRON_SYSTEM_ALLOW_FAILPOINTS=true for a drill)",
        {{"failpoints", std::string(failpoint_spec)}});
    failpoint_spec = nullptr;
  }
  auto failpoints = components::Failpoints::Parse(failpoint_spec ? failpoint_spec : "");
  if (!failpoints.ok()) {
    logs.Get().Error("invalid failpoints", {{"error", failpoints.status().ToString()}});
    return kExitUsage;
  }
  for (const auto& [component, fp] : failpoints->points()) {
    logs.Get().Warn("failpoint active (testing only)",
                    {{"component", component}, {"action", fp.text}});
  }

  observe::Registry metrics;
  components::Runtime runtime{options.loaded, logs, metrics, options.version};
  auto components = components::BuildComponents(runtime, *failpoints);

  store::BootInfo info;
  info.node_id = config.system.node_id;
  info.pid = getpid();
  info.version = options.version;
  info.strategy = std::string(config::ToString(config.system.boot_strategy));
  info.started_at = std::chrono::system_clock::now();
  BootRecorder recorder(logs, metrics, info, std::string(components::DatabaseComponent::kName),
                        [&runtime] { return runtime.store_handoff.Take(); });
  if (Status s = recorder.RegisterMetrics(); !s.ok()) {
    logs.Get().Error("cannot register metrics", {{"error", s.ToString()}});
    return kExitBootFailed;
  }

  lifecycle::EngineOptions engine_options;
  engine_options.strategy = ToStrategy(config.system.boot_strategy);
  engine_options.max_concurrency = config.system.max_concurrency;
  engine_options.start_timeout = config.system.start_timeout;
  engine_options.stop_timeout = config.system.stop_timeout;
  engine_options.observer = &recorder;
  auto engine = lifecycle::Engine::Create(std::move(components), engine_options);
  if (!engine.ok()) {
    logs.Get().Error("invalid component graph", {{"error", engine.status().ToString()}});
    return kExitBootFailed;
  }
  lifecycle::Engine* engine_ptr = engine->get();
  runtime.engine = engine_ptr;

  SystemdNotifier notifier;
  Requests requests;
  SignalWatcher signals({
      .on_stop =
          [&](int signo) {
            logs.Get().Info("stop requested", {{"signal", strsignal(signo)}});
            requests.Stop();
            engine_ptr->CancelBoot();
          },
      .on_force =
          [&](int signo) {
            logs.Get().Error("second stop signal: exiting now", {{"signal", strsignal(signo)}});
            _exit(kExitFailed);
          },
      .on_reload = [&] { requests.Reload(); },
  });

  logs.Get().Info("novacron starting",
                  {{"version", options.version},
                   {"node_id", config.system.node_id},
                   {"data_dir", config.system.data_dir},
                   {"strategy", std::string(config::ToString(config.system.boot_strategy))},
                   {"pid", static_cast<int64_t>(getpid())}});
  notifier.Status("booting");
  lifecycle::BootReport report = engine_ptr->Start();
  recorder.Finish(report);
  if (!report.status.ok()) {
    if (requests.stop_requested()) {
      logs.Get().Info("boot cancelled by stop request; rolled back");
      return kExitOk;
    }
    int code = BootFailureExitCode(report);
    logs.Get().Error("boot failed; rolled back",
                     {{"error", report.status.ToString()}, {"exit_code", code}});
    return code;
  }

  std::string ready = "ready in " + std::to_string(lifecycle::ToMillis(report.total)) + " ms" +
                      (report.degraded ? " (degraded)" : "");
  logs.Get().Info("novacron ready", {{"boot_ms", lifecycle::ToMillis(report.total)},
                                     {"components", static_cast<int64_t>(report.components.size())},
                                     {"degraded", report.degraded}});
  notifier.Ready(ready);
  notifier.StartWatchdog([engine_ptr] { return engine_ptr->Live(); });

  config::Config live = config;
  while (!requests.Wait()) Reload(options, logs, runtime.reloads, notifier, live);

  notifier.StopWatchdog();
  notifier.Stopping();
  logs.Get().Info("novacron stopping");
  recorder.RecordShutdown();
  lifecycle::StopReport stopped = engine_ptr->Stop(config.system.shutdown_timeout);
  if (!stopped.status.ok()) {
    logs.Get().Error("stopped with errors", {{"error", stopped.status.ToString()},
                                             {"duration_ms", lifecycle::ToMillis(stopped.total)}});
    return kExitFailed;
  }
  logs.Get().Info("novacron stopped", {{"duration_ms", lifecycle::ToMillis(stopped.total)}});
  return kExitOk;
}

}  // namespace novacron::daemon
