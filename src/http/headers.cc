#include "http/headers.h"

#include <algorithm>

namespace novacron::http {
namespace {

char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

Headers::Headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  for (const auto& [name, value] : fields) Add(name, value);
}

void Headers::Add(std::string_view name, std::string_view value) {
  if (size_ < fields_.size()) {
    fields_[size_].first.assign(name);
    fields_[size_].second.assign(value);
  } else {
    fields_.emplace_back(std::string(name), std::string(value));
  }
  ++size_;
}

void Headers::Set(std::string_view name, std::string_view value) {
  Remove(name);
  Add(name, value);
}

size_t Headers::Remove(std::string_view name) {
  auto live_end = fields_.begin() + static_cast<std::ptrdiff_t>(size_);
  // stable_partition keeps the order of the remaining fields; removed ones become spare buffers.
  auto removed_begin = std::stable_partition(
      fields_.begin(), live_end, [&](const Field& f) { return !EqualsIgnoreCase(f.first, name); });
  size_t removed = static_cast<size_t>(live_end - removed_begin);
  size_ -= removed;
  return removed;
}

const std::string* Headers::Find(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    if (EqualsIgnoreCase(fields_[i].first, name)) return &fields_[i].second;
  }
  return nullptr;
}

std::string_view Headers::Get(std::string_view name) const {
  const std::string* value = Find(name);
  return value == nullptr ? std::string_view() : std::string_view(*value);
}

}  // namespace novacron::http
