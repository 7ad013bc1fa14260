// What the daemon hands to its components: the loaded configuration, the current logger, the
// metrics registry and (for the API) the engine itself.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "components/reload_hub.h"
#include "config/loader.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "store/state_store.h"

namespace novacron::lifecycle {
class Engine;
}

namespace novacron::components {

// The process logger. Starts as a bootstrap logger (before the logger component applied the
// configuration) and is replaced once; readers take a cheap copy.
class LogHub {
 public:
  explicit LogHub(observe::Logger initial) : logger_(std::move(initial)) {}
  observe::Logger Get() const {
    std::lock_guard lock(mu_);
    return logger_;
  }
  void Set(observe::Logger logger) {
    std::lock_guard lock(mu_);
    logger_ = std::move(logger);
  }

 private:
  mutable std::mutex mu_;
  observe::Logger logger_;
};

// Hands the state store from the database component to the boot recorder. The recorder learns
// of the database start a moment after it happened (possibly after a rollback closed it), so the
// component publishes the store here at start and the recorder takes it from here.
class StoreHandoff {
 public:
  void Publish(std::shared_ptr<store::StateStore> store) {
    std::lock_guard lock(mu_);
    store_ = std::move(store);
  }
  std::shared_ptr<store::StateStore> Take() {
    std::lock_guard lock(mu_);
    return std::move(store_);
  }

 private:
  std::mutex mu_;
  std::shared_ptr<store::StateStore> store_;
};

struct Runtime {
  const config::LoadedConfig& loaded;
  LogHub& logs;
  observe::Registry& metrics;
  std::string version;
  // Set by the daemon after the engine was created and before it starts.
  lifecycle::Engine* engine = nullptr;
  StoreHandoff store_handoff{};
  // Components that apply reloadable keys live register here (SIGHUP).
  ReloadHub reloads{};

  const config::Config& config() const { return loaded.config; }
};

}  // namespace novacron::components
