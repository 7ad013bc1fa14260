#include "observe/metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace novacron::observe {
namespace {

template <typename T>
T* Must(Result<T*> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : nullptr;
}

TEST(RegistryRenderTest, GoldenExposition) {
  Registry registry;
  CounterFamily* starts = Must(registry.RegisterCounter("novacron_component_init_success_total",
                                                        "Components initialized.", {"component"}));
  starts->WithLabels({"database"}).Inc();
  starts->WithLabels({"cache"}).Add(2);
  starts->WithLabels({"api"});  // created, still 0

  GaugeFamily* up = Must(registry.RegisterGauge("novacron_up", "1 when the daemon is up."));
  up->Get().Set(1);

  HistogramFamily* durations = Must(registry.RegisterHistogram(
      "novacron_init_duration_seconds", "Duration of each init phase.", {"phase"}, {0.1, 1, 10}));
  Histogram& core = durations->WithLabels({"core"});
  core.Observe(0.05);
  core.Observe(0.1);  // on the bound: counts in le="0.1"
  core.Observe(3);
  core.Observe(20);

  ASSERT_TRUE(
      registry
          .RegisterGaugeFunc("novacron_uptime_seconds", "Seconds since start.", [] { return 12.5; })
          .ok());
  // Registered, labelled, but no label set yet: nothing rendered.
  Must(registry.RegisterCounter("novacron_errors_total", "Errors.", {"kind"}));

  EXPECT_EQ(registry.Render(),
            "# HELP novacron_component_init_success_total Components initialized.\n"
            "# TYPE novacron_component_init_success_total counter\n"
            "novacron_component_init_success_total{component=\"api\"} 0\n"
            "novacron_component_init_success_total{component=\"cache\"} 2\n"
            "novacron_component_init_success_total{component=\"database\"} 1\n"
            "# HELP novacron_errors_total Errors.\n"
            "# TYPE novacron_errors_total counter\n"
            "# HELP novacron_init_duration_seconds Duration of each init phase.\n"
            "# TYPE novacron_init_duration_seconds histogram\n"
            "novacron_init_duration_seconds_bucket{phase=\"core\",le=\"0.1\"} 2\n"
            "novacron_init_duration_seconds_bucket{phase=\"core\",le=\"1\"} 2\n"
            "novacron_init_duration_seconds_bucket{phase=\"core\",le=\"10\"} 3\n"
            "novacron_init_duration_seconds_bucket{phase=\"core\",le=\"+Inf\"} 4\n"
            "novacron_init_duration_seconds_sum{phase=\"core\"} 23.15\n"
            "novacron_init_duration_seconds_count{phase=\"core\"} 4\n"
            "# HELP novacron_up 1 when the daemon is up.\n"
            "# TYPE novacron_up gauge\n"
            "novacron_up 1\n"
            "# HELP novacron_uptime_seconds Seconds since start.\n"
            "# TYPE novacron_uptime_seconds gauge\n"
            "novacron_uptime_seconds 12.5\n");
}

TEST(RegistryRenderTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  CounterFamily* family = Must(registry.RegisterCounter(
      "x_total", "Help with \\ backslash\nand newline, \"quotes\" kept.", {"path", "vm"}));
  family->WithLabels({"C:\\vm\\disk", "say \"hi\"\nbye"}).Inc();
  EXPECT_EQ(registry.Render(),
            "# HELP x_total Help with \\\\ backslash\\nand newline, \"quotes\" kept.\n"
            "# TYPE x_total counter\n"
            "x_total{path=\"C:\\\\vm\\\\disk\",vm=\"say \\\"hi\\\"\\nbye\"} 1\n");
}

TEST(RegistryRenderTest, FamiliesByNameThenLabelValues) {
  Registry registry;
  GaugeFamily* b = Must(registry.RegisterGauge("b", "B.", {"x", "y"}));
  GaugeFamily* a = Must(registry.RegisterGauge("a", "A."));
  b->WithLabels({"2", "a"}).Set(1);
  b->WithLabels({"1", "b"}).Set(2);
  b->WithLabels({"1", "a"}).Set(3);
  a->Get().Set(-0.5);
  EXPECT_EQ(registry.Render(),
            "# HELP a A.\n# TYPE a gauge\na -0.5\n"
            "# HELP b B.\n# TYPE b gauge\n"
            "b{x=\"1\",y=\"a\"} 3\nb{x=\"1\",y=\"b\"} 2\nb{x=\"2\",y=\"a\"} 1\n");
}

TEST(RegistryRenderTest, ThrowingFunctionRendersNaN) {
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterGaugeFunc("broken", "Throws.",
                                     []() -> double { throw std::runtime_error("no /proc"); })
                  .ok());
  EXPECT_EQ(registry.Render(), "# HELP broken Throws.\n# TYPE broken gauge\nbroken NaN\n");
}

TEST(RegistryRenderTest, FunctionMayRegisterDuringRender) {
  Registry registry;
  std::atomic<bool> registered{false};
  ASSERT_TRUE(registry
                  .RegisterGaugeFunc("a_lazy", "Registers another metric when read.",
                                     [&] {
                                       registered = registry.RegisterGauge("z_late", "Late.").ok();
                                       return 1.0;
                                     })
                  .ok());
  registry.Render();  // must not deadlock
  EXPECT_TRUE(registered);
  EXPECT_NE(registry.Render().find("z_late 0\n"), std::string::npos);
}

TEST(HistogramTest, CumulativeBucketsSumAndCount) {
  Histogram h(std::vector<double>{1, 2, 4});
  for (double v : {0.5, 1.0, 1.5, 2.0, 3.0, 5.0, -1.0}) h.Observe(v);
  h.Observe(std::nan(""));
  h.ObserveDuration(std::chrono::milliseconds(250));
  const Histogram::Snapshot s = h.Take();
  EXPECT_EQ(s.upper_bounds, (std::vector<double>{1, 2, 4}));
  // <=1: 0.5 1 -1 0.25 ; <=2: +1.5 2 ; <=4: +3 ; +Inf: +5 NaN
  EXPECT_EQ(s.cumulative_counts, (std::vector<uint64_t>{4, 6, 7, 9}));
  EXPECT_EQ(s.count, 9u);
  EXPECT_TRUE(std::isnan(s.sum));  // a NaN observation poisons the sum, as in Prometheus
}

TEST(HistogramTest, SumWithoutNaN) {
  Histogram h(std::vector<double>{1});
  h.Observe(0.25);
  h.Observe(2);
  EXPECT_DOUBLE_EQ(h.Take().sum, 2.25);
}

TEST(BucketsTest, Helpers) {
  EXPECT_EQ(DefaultBuckets().size(), 11u);
  EXPECT_EQ(DefaultBuckets().front(), 0.005);
  EXPECT_EQ(ExponentialBuckets(0.001, 2, 4), (std::vector<double>{0.001, 0.002, 0.004, 0.008}));
  EXPECT_EQ(LinearBuckets(1, 0.5, 3), (std::vector<double>{1, 1.5, 2}));
  EXPECT_TRUE(ExponentialBuckets(0, 2, 4).empty());
  EXPECT_TRUE(ExponentialBuckets(1, 1, 4).empty());
  EXPECT_TRUE(ExponentialBuckets(1, 2, 0).empty());
  EXPECT_TRUE(LinearBuckets(0, -1, 3).empty());
}

TEST(CounterTest, IgnoresNegativeAndNaN) {
  Counter c;
  c.Add(2.5);
  c.Add(-1);
  c.Add(std::nan(""));
  c.Inc();
  EXPECT_EQ(c.Value(), 3.5);
}

TEST(GaugeTest, UpDownAndTime) {
  Gauge g;
  g.Inc();
  g.Inc();
  g.Dec();
  g.Add(2.5);
  g.Sub(0.5);
  EXPECT_EQ(g.Value(), 3);
  g.SetToCurrentTime();
  EXPECT_GT(g.Value(), 1.7e9);  // after 2023
}

TEST(RegistryTest, SameRegistrationReturnsTheSameFamily) {
  Registry registry;
  CounterFamily* a = Must(registry.RegisterCounter("c_total", "C.", {"x"}));
  CounterFamily* b = Must(registry.RegisterCounter("c_total", "Other help is fine.", {"x"}));
  EXPECT_EQ(a, b);
  HistogramFamily* h1 = Must(registry.RegisterHistogram("h", "H.", {}, {1, 2}));
  HistogramFamily* h2 = Must(
      registry.RegisterHistogram("h", "H.", {}, {1, 2, std::numeric_limits<double>::infinity()}));
  EXPECT_EQ(h1, h2);
  EXPECT_EQ(h1->buckets(), (std::vector<double>{1, 2}));
}

TEST(RegistryTest, ConflictingRegistrationIsAnError) {
  Registry registry;
  Must(registry.RegisterCounter("m", "M.", {"x"}));
  Result<GaugeFamily*> as_gauge = registry.RegisterGauge("m", "M.", {"x"});
  ASSERT_FALSE(as_gauge.ok());
  EXPECT_EQ(as_gauge.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(as_gauge.status().message().find("'m'"), std::string::npos);
  EXPECT_NE(as_gauge.status().message().find("counter"), std::string::npos);

  Result<CounterFamily*> other_labels = registry.RegisterCounter("m", "M.", {"y"});
  ASSERT_FALSE(other_labels.ok());
  EXPECT_EQ(other_labels.status().code(), ErrorCode::kAlreadyExists);

  Must(registry.RegisterHistogram("h", "H.", {}, {1, 2}));
  EXPECT_FALSE(registry.RegisterHistogram("h", "H.", {}, {1, 3}).ok());
  EXPECT_FALSE(registry.RegisterGaugeFunc("m", "M.", [] { return 1.0; }).ok());

  ASSERT_TRUE(registry.RegisterGaugeFunc("f", "F.", [] { return 1.0; }).ok());
  EXPECT_FALSE(registry.RegisterGaugeFunc("f", "F.", [] { return 1.0; }).ok());
  EXPECT_FALSE(registry.RegisterGauge("f", "F.").ok());
}

TEST(RegistryTest, RejectsBadNamesHelpLabelsAndBuckets) {
  Registry registry;
  const auto code = [](const Status& s) { return s.code(); };
  EXPECT_EQ(code(registry.RegisterCounter("bad-name", "B.").status()), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterCounter("no_help_total", "").status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterCounter("l_total", "L.", {"bad label"}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterCounter("l_total", "L.", {"__reserved"}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterCounter("l_total", "L.", {"a", "a"}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterHistogram("h", "H.", {"le"}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterHistogram("h", "H.", {}, {}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterHistogram("h", "H.", {}, {2, 1}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterHistogram("h", "H.", {}, {1, 1}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterHistogram("h", "H.", {}, {std::nan("")}).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(registry.RegisterHistogram("h", "H.", {}, ExponentialBuckets(0, 2, 3)).status()),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(registry.RegisterGaugeFunc("g", "G.", nullptr).ok());
  Result<CounterFamily*> bad = registry.RegisterCounter("bad-name", "B.");
  EXPECT_NE(bad.status().message().find("'bad-name'"), std::string::npos);
  EXPECT_EQ(registry.Render(), "");
}

TEST(FamilyTest, LabelHandlesAreStableAndDistinct) {
  Registry registry;
  CounterFamily* family = Must(registry.RegisterCounter("c_total", "C.", {"a", "b"}));
  Counter& x = family->WithLabels({"1", "2"});
  Counter& y = family->WithLabels({"1", "3"});
  EXPECT_NE(&x, &y);
  for (int i = 0; i < 100; ++i) family->WithLabels({"n", std::to_string(i)});
  const std::vector<std::string> values = {"1", "2"};
  EXPECT_EQ(&family->WithLabels(values), &x);
  Result<Counter*> tried = family->TryWithLabels(std::vector<std::string_view>{"1", "2"});
  ASSERT_TRUE(tried.ok());
  EXPECT_EQ(*tried, &x);
}

TEST(FamilyTest, WrongLabelCountIsAnErrorAndNeverRendered) {
  Registry registry;
  CounterFamily* family = Must(registry.RegisterCounter("c_total", "C.", {"a", "b"}));
  Result<Counter*> tried = family->TryWithLabels(std::vector<std::string_view>{"only one"});
  ASSERT_FALSE(tried.ok());
  EXPECT_EQ(tried.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(tried.status().message().find("c_total"), std::string::npos);
  family->WithLabels({"only one"}).Inc();  // detached: harmless, invisible
  family->Get().Inc();
  // Only the header: no sample of the detached metrics.
  EXPECT_EQ(registry.Render(), "# HELP c_total C.\n# TYPE c_total counter\n");
}

TEST(MetricsConcurrencyTest, EightThreadsIncrementExactly) {
  constexpr int kThreads = 8;
  constexpr int kIncrements = 100000;
  Registry registry;
  CounterFamily* counters = Must(registry.RegisterCounter("ops_total", "Ops.", {"kind"}));
  GaugeFamily* gauges = Must(registry.RegisterGauge("inflight", "In flight."));
  HistogramFamily* histograms =
      Must(registry.RegisterHistogram("lat_seconds", "Latency.", {}, {0.5}));
  std::vector<std::thread> threads;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done) registry.Render();  // concurrent reads (for TSan)
  });
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Every thread looks up the shared label set itself: creation races are part of the test.
      Counter& shared = counters->WithLabels({"shared"});
      Counter& own = counters->WithLabels({"thread" + std::to_string(t)});
      Gauge& gauge = gauges->Get();
      Histogram& histogram = histograms->Get();
      for (int i = 0; i < kIncrements; ++i) {
        shared.Inc();
        own.Add(2);
        gauge.Inc();
        histogram.Observe(i % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  for (auto& th : threads) th.join();
  done = true;
  scraper.join();
  EXPECT_EQ(counters->WithLabels({"shared"}).Value(), kThreads * kIncrements);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(counters->WithLabels({"thread" + std::to_string(t)}).Value(), 2.0 * kIncrements);
  }
  EXPECT_EQ(gauges->Get().Value(), kThreads * kIncrements);
  const Histogram::Snapshot s = histograms->Get().Take();
  EXPECT_EQ(s.count, static_cast<uint64_t>(kThreads * kIncrements));
  EXPECT_EQ(s.cumulative_counts[0], static_cast<uint64_t>(kThreads * kIncrements / 2));
  EXPECT_DOUBLE_EQ(s.sum, kThreads * kIncrements / 2 * 1.25);
}

}  // namespace
}  // namespace novacron::observe
