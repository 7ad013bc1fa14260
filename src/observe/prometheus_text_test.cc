#include "observe/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace novacron::observe {
namespace {

TEST(PrometheusFloatTest, SpecialValues) {
  EXPECT_EQ(FormatPrometheusFloat(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPrometheusFloat(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatPrometheusFloat(std::nan("")), "NaN");
}

TEST(PrometheusFloatTest, IntegersHaveNoExponentOrFraction) {
  EXPECT_EQ(FormatPrometheusFloat(0), "0");
  EXPECT_EQ(FormatPrometheusFloat(-0.0), "0");
  EXPECT_EQ(FormatPrometheusFloat(1), "1");
  EXPECT_EQ(FormatPrometheusFloat(-17), "-17");
  EXPECT_EQ(FormatPrometheusFloat(1e6), "1000000");
  EXPECT_EQ(FormatPrometheusFloat(1.7e12), "1700000000000");
  EXPECT_EQ(FormatPrometheusFloat(9007199254740992.0), "9007199254740992");
}

TEST(PrometheusFloatTest, FractionsAreShortestRoundTrip) {
  EXPECT_EQ(FormatPrometheusFloat(0.005), "0.005");
  EXPECT_EQ(FormatPrometheusFloat(2.5), "2.5");
  EXPECT_EQ(FormatPrometheusFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatPrometheusFloat(2.5e-7), "2.5e-07");
  EXPECT_EQ(FormatPrometheusFloat(1e20), "1e+20");
  for (double v : {0.1, 1.0 / 3, 123.456, 6.02e23, 1e-300}) {
    EXPECT_EQ(std::stod(FormatPrometheusFloat(v)), v);
  }
}

TEST(PrometheusNameTest, MetricNames) {
  EXPECT_TRUE(IsValidMetricName("novacron_init_duration_seconds"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_TRUE(IsValidMetricName("_x9"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("9lives"));
  EXPECT_FALSE(IsValidMetricName("has-dash"));
  EXPECT_FALSE(IsValidMetricName("has space"));
}

TEST(PrometheusNameTest, LabelNames) {
  EXPECT_TRUE(IsValidLabelName("component"));
  EXPECT_TRUE(IsValidLabelName("_private"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("0a"));
  EXPECT_FALSE(IsValidLabelName(""));
}

TEST(LabelSetTest, EscapesValuesAndAddsTheExtraLabelLast) {
  const std::vector<std::string> names = {"a", "b"};
  const std::vector<std::string> values = {"x\"y", "1\\2\n"};
  std::string out;
  AppendLabelSet(out, names, values, "le", "0.5");
  EXPECT_EQ(out, R"({a="x\"y",b="1\\2\n",le="0.5"})");
  out.clear();
  AppendLabelSet(out, {}, {});
  EXPECT_EQ(out, "");
  AppendLabelSet(out, {}, {}, "le", "+Inf");
  EXPECT_EQ(out, R"({le="+Inf"})");
}

}  // namespace
}  // namespace novacron::observe
