#include "tests/integration/sanitizer_report.h"

#include <algorithm>
#include <array>

namespace tessera::testing {
namespace {

// What each runtime prints at the head of a report. UBSan has no banner: each check prints
// "file:line:col: runtime error: ...". Tessera's own log lines never contain these words.
constexpr std::array<const char*, 4> kReportMarkers = {
    "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
    ": runtime error: ", "WARNING: ThreadSanitizer"};

}  // namespace

std::string FindSanitizerReport(const std::string& output, size_t max_bytes) {
  size_t first = std::string::npos;
  for (const char* marker : kReportMarkers) first = std::min(first, output.find(marker));
  if (first == std::string::npos) return "";
  const size_t line_start = output.rfind('\n', first);
  const size_t begin = line_start == std::string::npos ? 0 : line_start + 1;
  return output.substr(begin, max_bytes);
}

}  // namespace tessera::testing
