// The strict parser the admin port test relies on: it must reject what it claims to reject, or
// the scrape test could pass on broken output.
#include "tests/integration/prometheus_text.h"

#include <gtest/gtest.h>

#include "common/metrics.h"

namespace tessera::testing {
namespace {

TEST(PrometheusTextTest, ParsesOurRendererIncludingHistogramsAndEscapes) {
  MetricsRegistry registry;
  registry.GetCounter("a_total", "help with \\ and\nnewline", {{"dir", "x\"y\\z\nw"}}).Increment(5);
  Histogram& histogram = registry.GetHistogram("lat_seconds", "h", {{"method", "m"}}, {0.1, 1});
  histogram.Observe(0.05);
  histogram.Observe(3);
  Result<PromFamilies> families = ParsePrometheusText(registry.Render());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->at("a_total").help, "help with \\\\ and\\nnewline");  // kept escaped
  std::vector<PromSample> samples = FindSamples(*families, "a_total", {{"dir", "x\"y\\z\nw"}});
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].value, 5);
  EXPECT_EQ(FindSamples(*families, "lat_seconds").size(), 5u);  // 3 buckets, sum, count
}

TEST(PrometheusTextTest, RejectsWhatPrometheusOrOurContractRejects) {
  const char* bad[] = {
      "x 1\n",                                                           // no TYPE
      "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",                    // repeated series
      "# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n",                 // split family
      "# TYPE x gauge\nx{a=1} 1\n",                                      // unquoted label
      "# TYPE x gauge\nx{a=\"\\t\"} 1\n",                                // bad escape
      "# TYPE x gauge\nx one\n",                                         // bad value
      "# TYPE x counter\nx -1\n",                                        // negative counter
      "# TYPE x wrong\nx 1\n",                                           // unknown type
      "# TYPE x gauge\nx 1",                                             // no final newline
      "# TYPE x gauge\nx 1\n# TYPE x gauge\n",                           // second TYPE
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n",  // no +Inf
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",  // count differs
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n",           // no sum
  };
  for (const char* text : bad) {
    EXPECT_FALSE(ParsePrometheusText(text).ok()) << text;
  }
  EXPECT_TRUE(
      ParsePrometheusText("# a comment\n# HELP x h\n# TYPE x gauge\nx{a=\"1\",} 1.5e3 123\n\n")
          .ok());
}

}  // namespace
}  // namespace tessera::testing
