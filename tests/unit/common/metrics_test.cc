#include "common/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace tessera {
namespace {

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  MetricsRegistry registry;
  EXPECT_EQ(registry.Render(), "");
}

TEST(MetricsTest, CounterWithHelpTypeAndEscapedLabels) {
  MetricsRegistry registry;
  registry.GetCounter("tessera_things_total", "things\\done\nhere", {{"dir", "a\"b\\c\nd"}})
      .Increment(3);
  EXPECT_EQ(registry.Render(),
            "# HELP tessera_things_total things\\\\done\\nhere\n"
            "# TYPE tessera_things_total counter\n"
            "tessera_things_total{dir=\"a\\\"b\\\\c\\nd\"} 3\n");
}

TEST(MetricsTest, SameLabelsGiveTheSameCounter) {
  MetricsRegistry registry;
  Counter& first = registry.GetCounter("c_total", "h", {{"m", "x"}});
  Counter& again = registry.GetCounter("c_total", "h", {{"m", "x"}});
  Counter& other = registry.GetCounter("c_total", "h", {{"m", "y"}});
  EXPECT_EQ(&first, &again);
  EXPECT_NE(&first, &other);
  first.Increment();
  again.Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP c_total h\n# TYPE c_total counter\nc_total{m=\"x\"} 2\nc_total{m=\"y\"} 0\n");
}

TEST(MetricsTest, GaugeFormatsFractionsAndSpecialValues) {
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(1e21), "1e+21");
  EXPECT_EQ(FormatMetricValue(42), "42");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
  MetricsRegistry registry;
  Gauge& gauge = registry.GetGauge("g", "a gauge");
  gauge.Set(1.5);
  gauge.Add(-2);
  EXPECT_EQ(registry.Render(), "# HELP g a gauge\n# TYPE g gauge\ng -0.5\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  Histogram& histogram =
      registry.GetHistogram("lat_seconds", "latency", {{"method", "read"}}, {0.1, 1});
  histogram.Observe(0.05);
  histogram.Observe(0.1);  // "le" is inclusive
  histogram.Observe(0.5);
  histogram.Observe(7);
  EXPECT_EQ(registry.Render(),
            "# HELP lat_seconds latency\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{method=\"read\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{method=\"read\",le=\"1\"} 3\n"
            "lat_seconds_bucket{method=\"read\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{method=\"read\"} 7.65\n"
            "lat_seconds_count{method=\"read\"} 4\n");
}

TEST(MetricsTest, ReadersRunAtRenderAndFamiliesAreSortedByName) {
  MetricsRegistry registry;
  int calls = 0;
  registry.AddReader("zz_dirs_free_bytes", "free", MetricType::kGauge, [&calls] {
    ++calls;
    return std::vector<MetricSample>{{{{"dir", "/a"}}, 10}, {{{"dir", "/b"}}, 20}};
  });
  registry.AddValueReader("aa_term", "term", MetricType::kGauge, [] { return 7.0; });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(registry.Render(),
            "# HELP aa_term term\n# TYPE aa_term gauge\naa_term 7\n"
            "# HELP zz_dirs_free_bytes free\n# TYPE zz_dirs_free_bytes gauge\n"
            "zz_dirs_free_bytes{dir=\"/a\"} 10\nzz_dirs_free_bytes{dir=\"/b\"} 20\n");
  EXPECT_EQ(calls, 1);
}

TEST(MetricsTest, NameRules) {
  EXPECT_TRUE(IsValidMetricName("tessera:rpc_calls_total"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("method"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

TEST(MetricsDeathTest, ConflictingDeclarationsAbort) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "h");
  EXPECT_DEATH(registry.GetGauge("x_total", "h"), "declared twice");
  EXPECT_DEATH(registry.GetCounter("bad-name", "h"), "bad metric name");
  EXPECT_DEATH(registry.GetCounter("y_total", "h", {{"le", "1"}}), "bad label name");
}

TEST(MetricsTest, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry;
  Counter& counter = registry.GetCounter("n_total", "h");
  Histogram& histogram = registry.GetHistogram("h_seconds", "h", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.Increment();
        histogram.Observe(0.5);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.Value(), 40000u);
  Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.count, 40000u);
  EXPECT_DOUBLE_EQ(snapshot.sum, 20000);
}

}  // namespace
}  // namespace tessera
