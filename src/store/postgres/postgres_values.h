// Conversions between the store's C++ values and the schema's column conventions (unix
// microseconds, nullable BIGINT), shared by the PostgreSQL sub-stores.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/field>
#include <string>

#include "store/record_codec.h"

namespace novacron::store::pg {

using store::FromUnixMicros;
using store::ToUnixMicros;

// Now, at the precision the database keeps, so a returned record equals the stored one.
inline std::chrono::system_clock::time_point NowMicros() {
  return FromUnixMicros(ToUnixMicros(std::chrono::system_clock::now()));
}

inline std::optional<int64_t> OptionalInt64(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<int64_t>();
}

// A nullable BIGINT parameter: libpqxx 6 sends a null `const char*` as SQL NULL.
class NullableInt64 {
 public:
  explicit NullableInt64(std::optional<int64_t> value)
      : text_(value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt) {}
  const char* param() const { return text_ ? text_->c_str() : nullptr; }

 private:
  std::optional<std::string> text_;
};

}  // namespace novacron::store::pg
