// A strict parser of the Prometheus text exposition format 0.0.4, for tests that scrape
// /metrics: it rejects anything a Prometheus server would reject and some things it tolerates
// but that Tessera never writes (a sample before its family's TYPE, a family split in two, a
// series repeated, a histogram whose buckets are not cumulative or lack +Inf, _sum or _count).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace tessera::testing {

struct PromSample {
  std::string name;                           // as written, e.g. x_bucket
  std::map<std::string, std::string> labels;  // unescaped
  double value = 0;
};

struct PromFamily {
  std::string type;  // counter, gauge, histogram, summary or untyped
  std::string help;
  std::vector<PromSample> samples;
};

using PromFamilies = std::map<std::string, PromFamily>;

// kInvalidArgument naming the line for any violation.
Result<PromFamilies> ParsePrometheusText(const std::string& text);

// Samples of `family` whose labels include every pair of `labels`.
std::vector<PromSample> FindSamples(const PromFamilies& families, const std::string& family,
                                    const std::map<std::string, std::string>& labels = {});

}  // namespace tessera::testing
