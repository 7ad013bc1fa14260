#include "observe/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "observe/escape.h"

namespace novacron::observe {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Integral doubles up to 2^53 are printed exactly as integers; beyond that the shortest
// round-trip form (1e+20) is clearer than a long run of made-up digits.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

}  // namespace

void AppendPrometheusFloat(std::string& out, double value) {
  if (std::isnan(value)) {
    out.append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[32];
  std::to_chars_result result;
  if (value == std::trunc(value) && std::fabs(value) <= kMaxExactInteger) {
    result = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
  } else {
    result = std::to_chars(buf, buf + sizeof(buf), value);
  }
  out.append(buf, result.ptr);
}

std::string FormatPrometheusFloat(double value) {
  std::string out;
  AppendPrometheusFloat(out, value);
  return out;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsDigit(c));
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || (i > 0 && IsDigit(c));
    if (!ok) return false;
  }
  return true;
}

void AppendLabelSet(std::string& out, std::span<const std::string> names,
                    std::span<const std::string> values, std::string_view extra_name,
                    std::string_view extra_value) {
  if (names.empty() && extra_name.empty()) return;
  out.push_back('{');
  bool first = true;
  auto append = [&](std::string_view name, std::string_view value) {
    if (!first) out.push_back(',');
    first = false;
    out.append(name);
    out.append("=\"");
    AppendPrometheusLabelValue(out, value);
    out.push_back('"');
  };
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) append(names[i], values[i]);
  if (!extra_name.empty()) append(extra_name, extra_value);
  out.push_back('}');
}

}  // namespace novacron::observe
