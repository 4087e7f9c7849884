// A daemon's metrics, rendered in the Prometheus text exposition format 0.0.4 for /metrics.
//
// Two kinds of metric live in a MetricsRegistry:
//   - owned ones (Counter, Gauge, Histogram), one per label set of a family, that code bumps as
//     events happen: increments are single relaxed atomic operations, no lock;
//   - read ones (AddReader), whose samples a function computes at scrape time from state the
//     daemon keeps anyway (a counters struct, the Raft view, disk space), so nothing is counted
//     twice.
//
// Ownership: each daemon owns its registry and passes it to what records metrics; there is no
// global registry. References returned by Get* stay valid as long as the registry. Readers must
// only touch objects that outlive the registry's last Render() (register them after those
// objects exist and stop scraping before destroying them).
// Thread-safety: every method is thread-safe. Get* take a mutex: call them once and keep the
// reference on hot paths.
// REQUIRES (checked, abort on violation: they are programming errors): metric and label names
// are valid Prometheus names; a family keeps one type, help text and histogram bounds.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // REQUIRES: bounds strictly increasing and finite (+Inf is implied).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Bounds for RPC and request latencies, in seconds: 100 us .. 30 s.
std::vector<double> LatencyBounds();

// One sample of a read metric (not for histograms).
struct MetricSample {
  MetricLabels labels;
  double value = 0;
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& GetCounter(const std::string& name, const std::string& help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help,
                  const MetricLabels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const MetricLabels& labels, const std::vector<double>& bounds);

  // A family whose samples `read` returns at every Render(). REQUIRES: type is not kHistogram;
  // the name is not used by another family.
  void AddReader(const std::string& name, const std::string& help, MetricType type,
                 std::function<std::vector<MetricSample>()> read);
  // Shorthand for a family of one unlabelled sample.
  void AddValueReader(const std::string& name, const std::string& help, MetricType type,
                      std::function<double()> read);

  // Every family, sorted by name, as Prometheus text format 0.0.4.
  std::string Render() const;

 private:
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::vector<double> bounds;  // histograms
    // Owned metrics by their label set (labels sorted by name when rendered as given).
    std::map<MetricLabels, std::unique_ptr<Counter>> counters;
    std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
    std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
    std::function<std::vector<MetricSample>()> read;  // read families only
  };

  Family& FamilyLocked(const std::string& name, const std::string& help, MetricType type,
                       const MetricLabels& labels, const std::vector<double>& bounds);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;  // guarded by mu_
};

// Text format helpers, exposed for tests.
bool IsValidMetricName(const std::string& name);
bool IsValidLabelName(const std::string& name);
std::string EscapeLabelValue(const std::string& value);  // backslash, double quote, newline
std::string EscapeHelp(const std::string& help);         // backslash, newline
std::string FormatMetricValue(double value);             // +Inf, -Inf, NaN, shortest round trip

}  // namespace tessera
