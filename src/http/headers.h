// An ordered list of HTTP header fields with case-insensitive lookup. Clear() keeps the storage
// of the strings so a connection can reuse one Headers object for every request without
// allocating once it has warmed up.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace novacron::http {

// ASCII case-insensitive comparison, the rule for HTTP field names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;
  using const_iterator = std::vector<Field>::const_iterator;

  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

  // Appends a field; repeated names are allowed (e.g. Set-Cookie).
  void Add(std::string_view name, std::string_view value);
  // Replaces every field called `name` with a single one.
  void Set(std::string_view name, std::string_view value);
  // Removes every field called `name`; returns how many were removed.
  size_t Remove(std::string_view name);

  // The value of the first field called `name`, or nullptr.
  const std::string* Find(std::string_view name) const;
  // The value of the first field called `name`, or "" when there is none.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return fields_.begin(); }
  const_iterator end() const { return fields_.begin() + static_cast<std::ptrdiff_t>(size_); }

  // Forgets all fields but keeps their buffers for the next Add().
  void Clear() { size_ = 0; }

 private:
  std::vector<Field> fields_;  // [0, size_) are live; the rest are spare buffers
  size_t size_ = 0;
};

}  // namespace novacron::http
