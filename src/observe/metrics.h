// Metrics registry: counter, gauge and histogram families with labels, rendered in the
// Prometheus text exposition format 0.0.4.
//
//   Registry registry;
//   auto inits = registry.RegisterCounter("novacron_component_init_success_total",
//                                         "Components initialized.", {"component"});
//   if (!inits.ok()) return inits.status();
//   Counter& db_inits = (*inits)->WithLabels({"database"});  // look up once, keep the reference
//   db_inits.Inc();                                          // lock-free from any thread
//   std::string body = registry.Render();                    // serve with kPrometheusContentType
//
// Nothing domain-specific is declared here; the daemon registers its own metric names.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace novacron::observe {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };
// "counter", "gauge", "histogram".
std::string_view MetricTypeName(MetricType type);

// A value that only goes up. Negative and NaN increments are ignored.
class Counter {
 public:
  void Inc() { value_.fetch_add(1.0, std::memory_order_relaxed); }
  void Add(double delta) {
    if (delta > 0) value_.fetch_add(delta, std::memory_order_relaxed);
  }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Inc() { Add(1.0); }
  void Dec() { Add(-1.0); }
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  void Sub(double delta) { Add(-delta); }
  // Seconds since the Unix epoch (for "last success" style gauges).
  void SetToCurrentTime();
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into buckets by upper bound (an observation v lands in the first bucket
// with v <= bound, NaN in +Inf) and keeps their sum.
class Histogram {
 public:
  // `upper_bounds`: strictly increasing, without +Inf (the registry validates them).
  explicit Histogram(std::span<const double> upper_bounds);

  void Observe(double value);
  // Observes the duration in seconds, the Prometheus base unit.
  void ObserveDuration(std::chrono::duration<double> duration) { Observe(duration.count()); }

  struct Snapshot {
    std::vector<double> upper_bounds;         // without +Inf
    std::vector<uint64_t> cumulative_counts;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  // Counts are consistent with each other (count == +Inf bucket) even under concurrent Observe.
  Snapshot Take() const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; last is +Inf
  std::atomic<double> sum_{0.0};
};

// .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 (seconds), as in the official client libraries.
std::vector<double> DefaultBuckets();
// start, start*factor, ... (count bounds). Empty when start <= 0, factor <= 1 or count < 1, which
// RegisterHistogram then rejects.
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// start, start+width, ... (count bounds). Empty when width <= 0 or count < 1.
std::vector<double> LinearBuckets(double start, double width, int count);

// What every family has: a name, help, type and label names; and how it renders.
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, MetricType type,
               std::vector<std::string> label_names);
  virtual ~MetricFamily();
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends # HELP, # TYPE and the samples (only the header when there are none yet).
  virtual void Render(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

// Orders label value lists, and lets a list of string_views find a stored list of strings.
struct LabelValuesLess {
  using is_transparent = void;
  bool operator()(std::span<const std::string> a, std::span<const std::string> b) const;
  bool operator()(std::span<const std::string_view> a, std::span<const std::string> b) const;
  bool operator()(std::span<const std::string> a, std::span<const std::string_view> b) const;
};

// The metrics of one name, one per combination of label values. M is Counter, Gauge or
// Histogram (instantiated in metrics.cc only).
template <typename M>
class Family final : public MetricFamily {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::vector<double> buckets);
  ~Family() override;

  // The metric for these label values (in label-name order), created on first use. The reference
  // stays valid for the registry's lifetime: look it up once and keep it. With the wrong number
  // of values, returns a detached metric that is never rendered (use TryWithLabels to get the
  // error instead).
  M& WithLabels(std::initializer_list<std::string_view> values);
  M& WithLabels(std::span<const std::string> values);
  Result<M*> TryWithLabels(std::span<const std::string_view> values);
  // The only metric of a family without labels.
  M& Get() { return WithLabels({}); }

  const std::vector<double>& buckets() const { return buckets_; }

  void Render(std::string& out) const override;

 private:
  std::unique_ptr<M> NewMetric() const;

  std::vector<double> buckets_;  // histograms only
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>, LabelValuesLess> metrics_;
  std::unique_ptr<M> detached_;  // returned for a wrong number of label values
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Owns all families. Registration is by name: the same name with the same type and labels (and
// buckets) returns the existing family, anything else is an error. Thread-safe.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names follow [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not "__..."),
  // help is required. Errors: kInvalidArgument (bad name, label or buckets), kAlreadyExists
  // (name taken by a different type, labels or buckets).
  Result<CounterFamily*> RegisterCounter(std::string name, std::string help,
                                         std::vector<std::string> label_names = {});
  Result<GaugeFamily*> RegisterGauge(std::string name, std::string help,
                                     std::vector<std::string> label_names = {});
  Result<HistogramFamily*> RegisterHistogram(std::string name, std::string help,
                                             std::vector<std::string> label_names = {},
                                             std::vector<double> buckets = DefaultBuckets());

  // Values computed at scrape time (uptime, RSS, queue length). `fn` runs during Render(), with no
  // registry lock held, and must be thread-safe; if it throws, the sample is NaN. A name can be
  // registered only once.
  Status RegisterGaugeFunc(std::string name, std::string help, std::function<double()> fn);
  Status RegisterCounterFunc(std::string name, std::string help, std::function<double()> fn);

  // The text exposition (format 0.0.4) of every family, ordered by family name and
  // then label values.
  std::string Render() const;

 private:
  template <typename F>
  Result<F*> RegisterFamily(std::string name, std::string help, MetricType type,
                            std::vector<std::string> label_names, std::vector<double> buckets);
  Status RegisterFunc(std::string name, std::string help, MetricType type,
                      std::function<double()> fn);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<MetricFamily>, std::less<>> families_;
};

}  // namespace novacron::observe
