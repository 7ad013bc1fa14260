// The chain of components that decided a boot's duration, from a boot record: start at the
// component that finished last and walk back through the dependency that finished last.
#pragma once

#include <string>
#include <vector>

#include "store/boot_record.h"

namespace novacron::cli {

std::vector<const store::ComponentRecord*> SlowestChain(const store::BootRecord& boot);

}  // namespace novacron::cli
