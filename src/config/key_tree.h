// Internal: the schema's dotted keys as a tree of sections, in schema order.
#pragma once

#include <string>
#include <vector>

#include "config/schema.h"

namespace novacron::config {

struct KeyTree {
  std::string name;               // last path segment; empty for the root
  const KeySpec* leaf = nullptr;  // set for keys; sections have children instead
  std::vector<KeyTree> children;
};

const KeyTree& SchemaTree();

}  // namespace novacron::config
