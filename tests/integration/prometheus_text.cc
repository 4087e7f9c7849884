#include "tests/integration/prometheus_text.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace tessera::testing {

namespace {

bool IsNameStart(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}

bool IsNameChar(char c, bool colon) { return IsNameStart(c, colon) || (c >= '0' && c <= '9'); }

// Reads a metric (colon allowed) or label name at `*pos`; empty when there is none.
std::string ReadName(const std::string& line, size_t* pos, bool colon) {
  size_t start = *pos;
  if (start >= line.size() || !IsNameStart(line[start], colon)) return "";
  size_t end = start + 1;
  while (end < line.size() && IsNameChar(line[end], colon)) ++end;
  *pos = end;
  return line.substr(start, end - start);
}

Result<double> ParseValue(const std::string& text) {
  if (text == "+Inf" || text == "Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  if (text == "NaN") return std::nan("");
  if (text.empty()) return Status::InvalidArgument("empty value");
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || std::isinf(value) || std::isnan(value)) {
    return Status::InvalidArgument("bad value '" + text + "'");
  }
  return value;
}

// {a="x",b="y"} at `*pos` (which is at '{'), unescaping \\ \" \n.
Status ParseLabels(const std::string& line, size_t* pos,
                   std::map<std::string, std::string>* labels) {
  ++*pos;  // '{'
  while (true) {
    if (*pos >= line.size()) return Status::InvalidArgument("unterminated label set");
    if (line[*pos] == '}') {
      ++*pos;
      return Status::Ok();
    }
    std::string name = ReadName(line, pos, /*colon=*/false);
    if (name.empty()) return Status::InvalidArgument("bad label name");
    if (*pos + 1 >= line.size() || line[*pos] != '=' || line[*pos + 1] != '"') {
      return Status::InvalidArgument("label " + name + " lacks =\"");
    }
    *pos += 2;
    std::string value;
    while (true) {
      if (*pos >= line.size()) return Status::InvalidArgument("unterminated label value");
      char c = line[(*pos)++];
      if (c == '"') break;
      if (c == '\\') {
        if (*pos >= line.size()) return Status::InvalidArgument("dangling backslash");
        char escaped = line[(*pos)++];
        if (escaped == 'n') {
          value += '\n';
        } else if (escaped == '\\' || escaped == '"') {
          value += escaped;
        } else {
          return Status::InvalidArgument(std::string("bad escape \\") + escaped);
        }
      } else {
        value += c;
      }
    }
    if (!labels->emplace(name, value).second) {
      return Status::InvalidArgument("label " + name + " repeated");
    }
    if (*pos < line.size() && line[*pos] == ',') ++*pos;
  }
}

// The family a sample name belongs to, given the families typed so far.
std::string FamilyOf(const std::string& sample, const PromFamilies& families) {
  if (families.count(sample)) return sample;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (sample.size() > s.size() && sample.ends_with(s)) {
      const std::string base = sample.substr(0, sample.size() - s.size());
      auto it = families.find(base);
      if (it != families.end() && (it->second.type == "histogram" || it->second.type == "summary"))
        return base;
    }
  }
  return "";
}

Status CheckHistogram(const std::string& name, const PromFamily& family) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // (le, count) in order
    bool has_sum = false, has_count = false;
    double count = 0;
  };
  std::map<std::map<std::string, std::string>, Series> series;
  for (const PromSample& sample : family.samples) {
    std::map<std::string, std::string> labels = sample.labels;
    if (sample.name == name + "_bucket") {
      auto le = labels.find("le");
      if (le == labels.end()) return Status::InvalidArgument(name + "_bucket without le");
      ASSIGN_OR_RETURN(double bound, ParseValue(le->second));
      labels.erase(le);
      series[labels].buckets.push_back({bound, sample.value});
    } else if (sample.name == name + "_sum") {
      series[labels].has_sum = true;
    } else if (sample.name == name + "_count") {
      series[labels].has_count = true;
      series[labels].count = sample.value;
    } else {
      return Status::InvalidArgument("histogram " + name + " has sample " + sample.name);
    }
  }
  for (const auto& [labels, one] : series) {
    if (one.buckets.empty() || !std::isinf(one.buckets.back().first)) {
      return Status::InvalidArgument(name + ": buckets must end with le=\"+Inf\"");
    }
    for (size_t i = 1; i < one.buckets.size(); ++i) {
      if (one.buckets[i].first <= one.buckets[i - 1].first) {
        return Status::InvalidArgument(name + ": le bounds not increasing");
      }
      if (one.buckets[i].second < one.buckets[i - 1].second) {
        return Status::InvalidArgument(name + ": bucket counts not cumulative");
      }
    }
    if (!one.has_sum || !one.has_count) {
      return Status::InvalidArgument(name + ": a series lacks _sum or _count");
    }
    if (one.count != one.buckets.back().second) {
      return Status::InvalidArgument(name + ": _count differs from the +Inf bucket");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<PromFamilies> ParsePrometheusText(const std::string& text) {
  PromFamilies families;
  std::set<std::string> closed;  // families whose samples ended (another family followed)
  std::set<std::string> series_seen;
  std::string current;  // the family of the last sample or TYPE line
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  if (!text.empty() && !text.ends_with("\n")) {
    return Status::InvalidArgument("the text does not end with a newline");
  }
  while (std::getline(lines, line)) {
    ++number;
    auto fail = [&](const std::string& why) {
      return Status::InvalidArgument("line " + std::to_string(number) + " '" + line + "': " + why);
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, keyword, name;
      words >> hash >> keyword >> name;
      if (hash != "#" || (keyword != "HELP" && keyword != "TYPE")) continue;  // a comment
      size_t at = 0;
      if (ReadName(name, &at, true) != name || name.empty()) return fail("bad metric name");
      if (closed.count(name)) return fail("family " + name + " appears twice");
      if (!current.empty() && current != name) closed.insert(current);
      current = name;
      PromFamily& family = families[name];
      std::string rest;
      std::getline(words, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (keyword == "TYPE") {
        if (!family.type.empty()) return fail("second TYPE");
        if (!family.samples.empty()) return fail("TYPE after samples");
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                     "untyped"};
        if (!kTypes.count(rest)) return fail("unknown type '" + rest + "'");
        family.type = rest;
      } else {
        if (!family.help.empty()) return fail("second HELP");
        family.help = rest;
      }
      continue;
    }
    size_t pos = 0;
    PromSample sample;
    sample.name = ReadName(line, &pos, true);
    if (sample.name.empty()) return fail("no metric name");
    if (pos < line.size() && line[pos] == '{') {
      Status labels = ParseLabels(line, &pos, &sample.labels);
      if (!labels.ok()) return fail(labels.message());
    }
    if (pos >= line.size() || line[pos] != ' ') return fail("no space before the value");
    std::istringstream rest(line.substr(pos + 1));
    std::string value_text, timestamp, extra;
    rest >> value_text >> timestamp >> extra;
    if (!extra.empty()) return fail("trailing text");
    Result<double> value = ParseValue(value_text);
    if (!value.ok()) return fail(value.status().message());
    sample.value = *value;
    const std::string family_name = FamilyOf(sample.name, families);
    if (family_name.empty() || families[family_name].type.empty()) {
      return fail("sample before its family's TYPE line");
    }
    if (family_name != current) return fail("family " + family_name + " is split");
    PromFamily& family = families[family_name];
    if (family.type == "counter" && (std::isnan(sample.value) || sample.value < 0)) {
      return fail("counter below zero");
    }
    std::string key = sample.name;
    for (const auto& [name, label_value] : sample.labels) key += "\x01" + name + "=" + label_value;
    if (!series_seen.insert(key).second) return fail("series repeated");
    family.samples.push_back(std::move(sample));
  }
  for (const auto& [name, family] : families) {
    if (family.type.empty()) return Status::InvalidArgument("family " + name + " has no TYPE");
    if (family.type == "histogram") RETURN_IF_ERROR(CheckHistogram(name, family));
  }
  return families;
}

std::vector<PromSample> FindSamples(const PromFamilies& families, const std::string& family,
                                    const std::map<std::string, std::string>& labels) {
  std::vector<PromSample> found;
  auto it = families.find(family);
  if (it == families.end()) return found;
  for (const PromSample& sample : it->second.samples) {
    bool match = true;
    for (const auto& [name, value] : labels) {
      auto label = sample.labels.find(name);
      if (label == sample.labels.end() || label->second != value) match = false;
    }
    if (match) found.push_back(sample);
  }
  return found;
}

}  // namespace tessera::testing
