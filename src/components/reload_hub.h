// Live reload (SIGHUP) for components: a component that can apply some reloadable keys while
// running registers a handler here while it starts and removes it when it stops; the daemon
// hands each reload's new configuration and changed keys to every handler. Keys no handler
// applied are logged as "takes effect on restart" (docs/operations.md, "Reload").
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"

namespace novacron::components {

class ReloadHub {
 public:
  // Applies what it can of `next` for the `changed` keys and returns the keys it applied.
  // Problems are the handler's to log (e.g. a bad new certificate keeps the old one).
  using Handler = std::function<std::vector<std::string>(const config::Config& next,
                                                         const std::vector<std::string>& changed)>;

  // Replaces any handler of the same name.
  void Register(const std::string& name, Handler handler) {
    std::lock_guard lock(mu_);
    handlers_[name] = std::move(handler);
  }
  void Unregister(const std::string& name) {
    std::lock_guard lock(mu_);
    handlers_.erase(name);
  }

  // Runs every handler (in name order) and returns the union of the keys they applied.
  std::set<std::string> Apply(const config::Config& next, const std::vector<std::string>& changed) {
    std::lock_guard lock(mu_);  // a component cannot stop (Unregister) while its handler runs
    std::set<std::string> applied;
    for (auto& [name, handler] : handlers_) {
      for (std::string& key : handler(next, changed)) applied.insert(std::move(key));
    }
    return applied;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Handler> handlers_;  // guarded by mu_
};

}  // namespace novacron::components
