// Pieces of the Prometheus text exposition format 0.0.4 shared by the metrics renderer and tests:
// number formatting, names and label sets.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace novacron::observe {

// Numbers the way Prometheus writes them: +Inf, -Inf, NaN; integral values without exponent or
// fraction (1000000, not 1e+06); otherwise the shortest text that parses back to the same double
// (0.005, 2.5e-07).
void AppendPrometheusFloat(std::string& out, double value);
std::string FormatPrometheusFloat(double value);

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus itself).
bool IsValidLabelName(std::string_view name);

// {name1="value1",name2="value2"} with values escaped, plus `extra_name="extra_value"` last when
// `extra_name` is non-empty (the `le` of histogram buckets). Nothing when there are no labels.
void AppendLabelSet(std::string& out, std::span<const std::string> names,
                    std::span<const std::string> values, std::string_view extra_name = {},
                    std::string_view extra_value = {});

}  // namespace novacron::observe
