// A key/value pair attached to a log line. Built at call sites with braces:
//   logger.Info("retrying", {{"attempt", 2}, {"error", status}, {"component", name}});
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace novacron::observe {

using FieldValue = std::variant<std::string, int64_t, uint64_t, double, bool>;

struct Field {
  // Signed integers become int64, unsigned ones uint64 (bool and char types excluded).
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>)
      Field(std::string k, T v)  // NOLINT(google-explicit-constructor)
      : key(std::move(k)) {
    if constexpr (std::is_signed_v<T>) {
      value = static_cast<int64_t>(v);
    } else {
      value = static_cast<uint64_t>(v);
    }
  }
  Field(std::string k, bool v) : key(std::move(k)), value(v) {}
  Field(std::string k, double v) : key(std::move(k)), value(v) {}
  Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  Field(std::string k, std::string_view v) : key(std::move(k)), value(std::string(v)) {}
  Field(std::string k, const char* v) : key(std::move(k)), value(std::string(v ? v : "")) {}
  // The whole cause chain on one line (Status::ToString()).
  Field(std::string k, const Status& s) : key(std::move(k)), value(s.ToString()) {}

  std::string key;
  FieldValue value;
};

using Fields = std::vector<Field>;

}  // namespace novacron::observe
