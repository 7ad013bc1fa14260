#include "observe/metrics.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "observe/escape.h"
#include "observe/prometheus_text.h"

namespace novacron::observe {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(names[i]);
  }
  out.push_back(']');
  return out;
}

void AppendHeader(std::string& out, const MetricFamily& family) {
  out.append("# HELP ");
  out.append(family.name());
  out.push_back(' ');
  AppendPrometheusHelp(out, family.help());
  out.append("\n# TYPE ");
  out.append(family.name());
  out.push_back(' ');
  out.append(MetricTypeName(family.type()));
  out.push_back('\n');
}

void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  std::span<const std::string> label_names, std::span<const std::string> values,
                  double value, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  out.append(name);
  out.append(suffix);
  AppendLabelSet(out, label_names, values, extra_name, extra_value);
  out.push_back(' ');
  AppendPrometheusFloat(out, value);
  out.push_back('\n');
}

void AppendSamples(std::string& out, const MetricFamily& family,
                   std::span<const std::string> values, const Counter& counter) {
  AppendSample(out, family.name(), "", family.label_names(), values, counter.Value());
}

void AppendSamples(std::string& out, const MetricFamily& family,
                   std::span<const std::string> values, const Gauge& gauge) {
  AppendSample(out, family.name(), "", family.label_names(), values, gauge.Value());
}

void AppendSamples(std::string& out, const MetricFamily& family,
                   std::span<const std::string> values, const Histogram& histogram) {
  const Histogram::Snapshot snapshot = histogram.Take();
  for (size_t i = 0; i < snapshot.upper_bounds.size(); ++i) {
    AppendSample(out, family.name(), "_bucket", family.label_names(), values,
                 static_cast<double>(snapshot.cumulative_counts[i]), "le",
                 FormatPrometheusFloat(snapshot.upper_bounds[i]));
  }
  AppendSample(out, family.name(), "_bucket", family.label_names(), values,
               static_cast<double>(snapshot.count), "le", "+Inf");
  AppendSample(out, family.name(), "_sum", family.label_names(), values, snapshot.sum);
  AppendSample(out, family.name(), "_count", family.label_names(), values,
               static_cast<double>(snapshot.count));
}

// A label-less family whose single value is computed at scrape time.
class FuncFamily final : public MetricFamily {
 public:
  FuncFamily(std::string name, std::string help, MetricType type, std::function<double()> fn)
      : MetricFamily(std::move(name), std::move(help), type, {}), fn_(std::move(fn)) {}

  void Render(std::string& out) const override {
    double value;
    try {
      value = fn_();
    } catch (...) {
      value = std::nan("");
    }
    AppendHeader(out, *this);
    AppendSample(out, name(), "", {}, {}, value);
  }

 private:
  std::function<double()> fn_;
};

Status ValidateFamily(const std::string& name, const std::string& help, MetricType type,
                      const std::vector<std::string>& label_names) {
  const std::string what = "metric '" + SanitizeUtf8(name) + "'";
  if (!IsValidMetricName(name)) {
    return InvalidArgument(what + ": invalid name (want [a-zA-Z_:][a-zA-Z0-9_:]*)");
  }
  if (help.empty()) return InvalidArgument(what + ": help text is required");
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    if (!IsValidLabelName(label)) {
      return InvalidArgument(what + ": invalid label name '" + SanitizeUtf8(label) +
                             "' (want [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
    }
    if (type == MetricType::kHistogram && label == "le") {
      return InvalidArgument(what + ": label name 'le' is reserved for histogram buckets");
    }
    if (std::find(label_names.begin(), label_names.begin() + static_cast<ptrdiff_t>(i), label) !=
        label_names.begin() + static_cast<ptrdiff_t>(i)) {
      return InvalidArgument(what + ": label name '" + label + "' appears twice");
    }
  }
  return Status::Ok();
}

// Drops a trailing +Inf (implicit in every histogram) and checks the rest.
Status NormalizeBuckets(const std::string& name, std::vector<double>& buckets) {
  if (!buckets.empty() && std::isinf(buckets.back()) && buckets.back() > 0) buckets.pop_back();
  const std::string what = "histogram '" + name + "'";
  if (buckets.empty()) return InvalidArgument(what + ": needs at least one finite bucket bound");
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i])) {
      return InvalidArgument(what + ": bucket bound " + FormatPrometheusFloat(buckets[i]) +
                             " is not finite");
    }
    if (i > 0 && buckets[i] <= buckets[i - 1]) {
      return InvalidArgument(what + ": bucket bounds must increase strictly (" +
                             FormatPrometheusFloat(buckets[i - 1]) + " then " +
                             FormatPrometheusFloat(buckets[i]) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void Gauge::SetToCurrentTime() {
  const std::chrono::duration<double> now = std::chrono::system_clock::now().time_since_epoch();
  Set(now.count());
}

// --- Histogram ---

Histogram::Histogram(std::span<const double> upper_bounds)
    : upper_bounds_(upper_bounds.begin(), upper_bounds.end()),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(upper_bounds.size() + 1)) {}

void Histogram::Observe(double value) {
  size_t bucket = upper_bounds_.size();  // +Inf; also where NaN goes
  if (!std::isnan(value)) {
    bucket =
        static_cast<size_t>(std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
                            upper_bounds_.begin());
  }
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Take() const {
  Snapshot snapshot;
  snapshot.upper_bounds = upper_bounds_;
  snapshot.cumulative_counts.reserve(upper_bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(total);
  }
  snapshot.count = total;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<double> DefaultBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  if (!(start > 0) || !(factor > 1) || count < 1) return {};
  std::vector<double> buckets;
  buckets.reserve(static_cast<size_t>(count));
  for (double bound = start; count > 0; --count, bound *= factor) buckets.push_back(bound);
  return buckets;
}

std::vector<double> LinearBuckets(double start, double width, int count) {
  if (!(width > 0) || !std::isfinite(start) || count < 1) return {};
  std::vector<double> buckets;
  buckets.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) buckets.push_back(start + width * i);
  return buckets;
}

// --- Families ---

MetricFamily::MetricFamily(std::string name, std::string help, MetricType type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {}

MetricFamily::~MetricFamily() = default;

namespace {

template <typename A, typename B>
bool LexicographicLess(std::span<A> a, std::span<B> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](std::string_view x, std::string_view y) { return x < y; });
}

}  // namespace

bool LabelValuesLess::operator()(std::span<const std::string> a,
                                 std::span<const std::string> b) const {
  return LexicographicLess(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string_view> a,
                                 std::span<const std::string> b) const {
  return LexicographicLess(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string> a,
                                 std::span<const std::string_view> b) const {
  return LexicographicLess(a, b);
}

template <typename M>
Family<M>::Family(std::string name, std::string help, MetricType type,
                  std::vector<std::string> label_names, std::vector<double> buckets)
    : MetricFamily(std::move(name), std::move(help), type, std::move(label_names)),
      buckets_(std::move(buckets)),
      detached_(NewMetric()) {
  // A family without labels has its one metric from the start, so it renders as 0 right away.
  if (this->label_names().empty()) metrics_.emplace(std::vector<std::string>{}, NewMetric());
}

template <typename M>
Family<M>::~Family() = default;

template <typename M>
std::unique_ptr<M> Family<M>::NewMetric() const {
  if constexpr (std::is_same_v<M, Histogram>) {
    return std::make_unique<Histogram>(buckets_);
  } else {
    return std::make_unique<M>();
  }
}

template <typename M>
Result<M*> Family<M>::TryWithLabels(std::span<const std::string_view> values) {
  if (values.size() != label_names().size()) {
    return InvalidArgument("metric '" + name() + "': got " + std::to_string(values.size()) +
                           " label values for labels " + JoinNames(label_names()));
  }
  {
    std::shared_lock lock(mu_);
    auto it = metrics_.find(values);
    if (it != metrics_.end()) return it->second.get();
  }
  try {
    std::unique_lock lock(mu_);
    auto it = metrics_.find(values);
    if (it == metrics_.end()) {
      it = metrics_.emplace(std::vector<std::string>(values.begin(), values.end()), NewMetric())
               .first;
    }
    return it->second.get();
  } catch (const std::exception& e) {
    return ResourceExhausted("metric '" + name() + "': adding a label set: " + e.what());
  }
}

template <typename M>
M& Family<M>::WithLabels(std::initializer_list<std::string_view> values) {
  Result<M*> metric =
      TryWithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  return metric.ok() ? **metric : *detached_;
}

template <typename M>
M& Family<M>::WithLabels(std::span<const std::string> values) {
  std::vector<std::string_view> views(values.begin(), values.end());
  Result<M*> metric = TryWithLabels(views);
  return metric.ok() ? **metric : *detached_;
}

template <typename M>
void Family<M>::Render(std::string& out) const {
  std::shared_lock lock(mu_);
  // HELP and TYPE even without samples: the metric is documented (and discoverable) before
  // its first labelled event, as the Python client does.
  AppendHeader(out, *this);
  for (const auto& [values, metric] : metrics_) AppendSamples(out, *this, values, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// --- Registry ---

Registry::Registry() = default;
Registry::~Registry() = default;

template <typename F>
Result<F*> Registry::RegisterFamily(std::string name, std::string help, MetricType type,
                                    std::vector<std::string> label_names,
                                    std::vector<double> buckets) {
  NOVACRON_RETURN_IF_ERROR(ValidateFamily(name, help, type, label_names));
  if (type == MetricType::kHistogram) NOVACRON_RETURN_IF_ERROR(NormalizeBuckets(name, buckets));
  try {
    std::lock_guard lock(mu_);
    auto it = families_.find(name);
    if (it != families_.end()) {
      auto* existing = dynamic_cast<F*>(it->second.get());
      if (existing != nullptr && existing->type() == type &&
          existing->label_names() == label_names && existing->buckets() == buckets) {
        return existing;
      }
      const MetricFamily& other = *it->second;
      return AlreadyExists(
          "metric '" + name + "' is already registered as a " +
          std::string(MetricTypeName(other.type())) + " with labels " +
          JoinNames(other.label_names()) +
          (existing == nullptr && other.type() == type ? " (scrape-time)" : "") +
          "; cannot register it as a " + std::string(MetricTypeName(type)) + " with labels " +
          JoinNames(label_names) +
          (existing != nullptr && existing->buckets() != buckets ? " and different buckets" : ""));
    }
    auto family = std::make_unique<F>(name, std::move(help), type, std::move(label_names),
                                      std::move(buckets));
    F* result = family.get();
    families_.emplace(std::move(name), std::move(family));
    return result;
  } catch (const std::exception& e) {
    return ResourceExhausted("metric '" + name + "': registering: " + e.what());
  }
}

Result<CounterFamily*> Registry::RegisterCounter(std::string name, std::string help,
                                                 std::vector<std::string> label_names) {
  return RegisterFamily<CounterFamily>(std::move(name), std::move(help), MetricType::kCounter,
                                       std::move(label_names), {});
}

Result<GaugeFamily*> Registry::RegisterGauge(std::string name, std::string help,
                                             std::vector<std::string> label_names) {
  return RegisterFamily<GaugeFamily>(std::move(name), std::move(help), MetricType::kGauge,
                                     std::move(label_names), {});
}

Result<HistogramFamily*> Registry::RegisterHistogram(std::string name, std::string help,
                                                     std::vector<std::string> label_names,
                                                     std::vector<double> buckets) {
  return RegisterFamily<HistogramFamily>(std::move(name), std::move(help), MetricType::kHistogram,
                                         std::move(label_names), std::move(buckets));
}

Status Registry::RegisterFunc(std::string name, std::string help, MetricType type,
                              std::function<double()> fn) {
  NOVACRON_RETURN_IF_ERROR(ValidateFamily(name, help, type, {}));
  if (!fn) return InvalidArgument("metric '" + name + "': no function given");
  try {
    std::lock_guard lock(mu_);
    auto it = families_.find(name);
    if (it != families_.end()) {
      return AlreadyExists("metric '" + name + "' is already registered (as a " +
                           std::string(MetricTypeName(it->second->type())) + ")");
    }
    families_.emplace(name,
                      std::make_unique<FuncFamily>(name, std::move(help), type, std::move(fn)));
    return Status::Ok();
  } catch (const std::exception& e) {
    return ResourceExhausted("metric '" + name + "': registering: " + e.what());
  }
}

Status Registry::RegisterGaugeFunc(std::string name, std::string help, std::function<double()> fn) {
  return RegisterFunc(std::move(name), std::move(help), MetricType::kGauge, std::move(fn));
}

Status Registry::RegisterCounterFunc(std::string name, std::string help,
                                     std::function<double()> fn) {
  return RegisterFunc(std::move(name), std::move(help), MetricType::kCounter, std::move(fn));
}

std::string Registry::Render() const {
  std::vector<const MetricFamily*> families;
  try {
    std::lock_guard lock(mu_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) families.push_back(family.get());
  } catch (const std::exception&) {
    return {};
  }
  // Families are never removed, so the pointers stay valid without the lock; scrape-time
  // functions may then even register metrics without deadlocking.
  try {
    std::string out;
    out.reserve(families.size() * 256);
    for (const MetricFamily* family : families) family->Render(out);
    return out;
  } catch (const std::exception&) {
    return {};  // out of memory: an empty scrape rather than an exception
  }
}

}  // namespace novacron::observe
