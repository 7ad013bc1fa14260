#include "cli/boot_chain.h"

#include <algorithm>
#include <map>

namespace novacron::cli {

std::vector<const store::ComponentRecord*> SlowestChain(const store::BootRecord& boot) {
  std::map<std::string, const store::ComponentRecord*, std::less<>> by_name;
  const store::ComponentRecord* last = nullptr;
  for (const auto& c : boot.components) {
    by_name[c.name] = &c;
    if (c.end_offset && (last == nullptr || *c.end_offset > *last->end_offset)) last = &c;
  }
  std::vector<const store::ComponentRecord*> chain;
  for (const store::ComponentRecord* c = last; c != nullptr;) {
    chain.push_back(c);
    const store::ComponentRecord* gate = nullptr;
    for (const auto& dep : c->dependencies) {
      auto it = by_name.find(dep);
      if (it == by_name.end() || !it->second->end_offset) continue;
      if (gate == nullptr || *it->second->end_offset > *gate->end_offset) gate = it->second;
    }
    // Guard against records that would loop (a corrupted dependency list).
    if (gate != nullptr && std::find(chain.begin(), chain.end(), gate) != chain.end()) break;
    c = gate;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

}  // namespace novacron::cli
