// What a SIGHUP reload can apply live and what needs a restart.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace novacron::config {

struct ReloadPlan {
  std::vector<std::string> reloadable;        // changed keys that may be applied live
  std::vector<std::string> restart_required;  // changed keys that only take effect on restart

  bool empty() const { return reloadable.empty() && restart_required.empty(); }
  bool NeedsRestart() const { return !restart_required.empty(); }
};

// Compares every key of the schema; keys are listed in schema order.
ReloadPlan Diff(const Config& old_config, const Config& new_config);

}  // namespace novacron::config
