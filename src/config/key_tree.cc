#include "config/key_tree.h"

namespace novacron::config {
namespace {

KeyTree Build() {
  KeyTree root;
  for (const KeySpec& spec : Schema()) {
    KeyTree* node = &root;
    std::string_view rest = spec.key;
    while (true) {
      size_t dot = rest.find('.');
      std::string segment(rest.substr(0, dot));
      KeyTree* child = nullptr;
      for (KeyTree& c : node->children) {
        if (c.name == segment) child = &c;
      }
      if (child == nullptr) {
        node->children.push_back(KeyTree{segment, nullptr, {}});
        child = &node->children.back();
      }
      node = child;
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    node->leaf = &spec;
  }
  return root;
}

}  // namespace

const KeyTree& SchemaTree() {
  static const KeyTree tree = Build();
  return tree;
}

}  // namespace novacron::config
