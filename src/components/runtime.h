// What the daemon hands to its components: the loaded configuration, the current logger, the
// metrics registry and (for the API) the engine itself.
#pragma once

#include <mutex>
#include <string>

#include "config/loader.h"
#include "observe/log.h"
#include "observe/metrics.h"

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

struct Runtime {
  const config::LoadedConfig& loaded;
  LogHub& logs;
  observe::Registry& metrics;
  std::string version;
  // Set by the daemon after the engine was created and before it starts.
  lifecycle::Engine* engine = nullptr;

  const config::Config& config() const { return loaded.config; }
};

}  // namespace novacron::components
