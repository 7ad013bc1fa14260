#include "config/reload.h"

#include "config/schema.h"

namespace novacron::config {

ReloadPlan Diff(const Config& old_config, const Config& new_config) {
  ReloadPlan plan;
  for (const KeySpec& spec : Schema()) {
    if (spec.get(old_config) == spec.get(new_config)) continue;
    (spec.reloadable ? plan.reloadable : plan.restart_required).emplace_back(spec.key);
  }
  return plan;
}

}  // namespace novacron::config
