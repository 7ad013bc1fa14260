// The state store's schema, as the ordered list of migrations every backend applies.
#pragma once

#include <span>

#include "store/migration.h"

namespace novacron::store {

// All migrations this novacron knows, version 1 first. Append only: never edit or reorder an
// entry that has shipped; add a new version instead.
std::span<const Migration> StoreMigrations();

}  // namespace novacron::store
