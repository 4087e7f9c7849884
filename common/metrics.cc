#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/logging.h"

namespace tessera {

namespace {

// A broken metric declaration is a bug in the daemon, caught by the first test that renders.
[[noreturn]] void Misuse(const std::string& what) {
  LOG(kError, "metrics") << "metrics misuse: " << what;
  std::abort();
}

const char* TypeName(MetricType type) {
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

void CheckLabels(const MetricLabels& labels) {
  for (const auto& [name, value] : labels) {
    if (!IsValidLabelName(name) || name == "le") Misuse("bad label name '" + name + "'");
  }
}

// {a="x",b="y"} with `extra` (e.g. le) appended; empty when there are no labels at all.
std::string LabelText(const MetricLabels& labels, const std::string& extra_name = "",
                      const std::string& extra_value = "") {
  if (labels.empty() && extra_name.empty()) return "";
  std::string text = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) text += ',';
    first = false;
    text += name + "=\"" + EscapeLabelValue(value) + "\"";
  }
  if (!extra_name.empty()) {
    if (!first) text += ',';
    text += extra_name + "=\"" + EscapeLabelValue(extra_value) + "\"";
  }
  return text + "}";
}

void AppendHeader(const std::string& name, const std::string& help, MetricType type,
                  std::string* out) {
  *out += "# HELP " + name + " " + EscapeHelp(help) + "\n";
  *out += "# TYPE " + name + " " + TypeName(type) + "\n";
}

void AppendSample(const std::string& name, const std::string& labels, double value,
                  std::string* out) {
  *out += name + labels + " " + FormatMetricValue(value) + "\n";
}

void AppendHistogram(const std::string& name, const MetricLabels& labels,
                     const Histogram::Snapshot& snapshot, std::string* out) {
  for (size_t i = 0; i < snapshot.bounds.size(); ++i) {
    AppendSample(name + "_bucket", LabelText(labels, "le", FormatMetricValue(snapshot.bounds[i])),
                 static_cast<double>(snapshot.cumulative[i]), out);
  }
  AppendSample(name + "_bucket", LabelText(labels, "le", "+Inf"),
               static_cast<double>(snapshot.count), out);
  AppendSample(name + "_sum", LabelText(labels), snapshot.sum, out);
  AppendSample(name + "_count", LabelText(labels), static_cast<double>(snapshot.count), out);
}

}  // namespace

bool IsValidMetricName(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsValidLabelName(const std::string& name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

namespace {

// Backslash and newline always; double quotes too inside label values.
std::string EscapeText(const std::string& text, bool quotes) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || (quotes && c == '"')) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) { return EscapeText(value, true); }

std::string EscapeHelp(const std::string& help) { return EscapeText(help, false); }

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (error != std::errc()) return "NaN";
  return std::string(buffer, end);
}

std::vector<double> LatencyBounds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      Misuse("histogram bounds must be finite and strictly increasing");
    }
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  // The first bucket whose upper bound holds the value ("le" is inclusive); +Inf past the last.
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.bounds = bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    if (i < bounds_.size()) snapshot.cumulative.push_back(running);
  }
  snapshot.cumulative.push_back(running);
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

MetricsRegistry::Family& MetricsRegistry::FamilyLocked(const std::string& name,
                                                       const std::string& help, MetricType type,
                                                       const MetricLabels& labels,
                                                       const std::vector<double>& bounds) {
  if (!IsValidMetricName(name)) Misuse("bad metric name '" + name + "'");
  CheckLabels(labels);
  auto [it, inserted] = families_.try_emplace(name);
  Family& family = it->second;
  if (inserted) {
    family.type = type;
    family.help = help;
    family.bounds = bounds;
  } else if (family.type != type || family.help != help || family.bounds != bounds || family.read) {
    Misuse("metric '" + name + "' declared twice differently");
  }
  return family;
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, MetricType::kCounter, labels, {}).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(const std::string& name, const std::string& help,
                                 const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, MetricType::kGauge, labels, {}).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const MetricLabels& labels,
                                         const std::vector<double>& bounds) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, MetricType::kHistogram, labels, bounds).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void MetricsRegistry::AddReader(const std::string& name, const std::string& help, MetricType type,
                                std::function<std::vector<MetricSample>()> read) {
  if (type == MetricType::kHistogram) Misuse("read metric '" + name + "' cannot be a histogram");
  if (!IsValidMetricName(name)) Misuse("bad metric name '" + name + "'");
  std::lock_guard lock(mu_);
  auto [it, inserted] = families_.try_emplace(name);
  if (!inserted) Misuse("metric '" + name + "' declared twice");
  it->second.type = type;
  it->second.help = help;
  it->second.read = std::move(read);
}

void MetricsRegistry::AddValueReader(const std::string& name, const std::string& help,
                                     MetricType type, std::function<double()> read) {
  AddReader(name, help, type, [read = std::move(read)] {
    return std::vector<MetricSample>{MetricSample{{}, read()}};
  });
}

std::string MetricsRegistry::Render() const {
  // Owned families render under the lock (their metrics are atomics); readers run outside it,
  // so that a reader may take locks of its own, even one held by a thread calling Get*.
  std::map<std::string, std::string> rendered;
  struct PendingReader {
    std::string name, help;
    MetricType type;
    std::function<std::vector<MetricSample>()> read;
  };
  std::vector<PendingReader> readers;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) {
      if (family.read) {
        readers.push_back({name, family.help, family.type, family.read});
        continue;
      }
      std::string& out = rendered[name];
      AppendHeader(name, family.help, family.type, &out);
      for (const auto& [labels, counter] : family.counters) {
        AppendSample(name, LabelText(labels), static_cast<double>(counter->Value()), &out);
      }
      for (const auto& [labels, gauge] : family.gauges) {
        AppendSample(name, LabelText(labels), gauge->Value(), &out);
      }
      for (const auto& [labels, histogram] : family.histograms) {
        AppendHistogram(name, labels, histogram->Read(), &out);
      }
    }
  }
  for (const PendingReader& reader : readers) {
    std::string& out = rendered[reader.name];
    AppendHeader(reader.name, reader.help, reader.type, &out);
    for (const MetricSample& sample : reader.read()) {
      CheckLabels(sample.labels);
      AppendSample(reader.name, LabelText(sample.labels), sample.value, &out);
    }
  }
  std::string text;
  for (const auto& [name, family_text] : rendered) text += family_text;
  return text;
}

}  // namespace tessera
