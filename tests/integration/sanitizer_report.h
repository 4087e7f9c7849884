// Finds a sanitizer report (ASan, LSan, UBSan, TSan) in the output of a process a test started.
//
// A sanitized daemon writes its report to stderr, which the test harness sends to the daemon's
// log, and then exits (or, for LSan, exits non-zero at the end): no test would notice unless
// someone reads the log. DaemonProcess checks every child's log with this when it reaps the
// child and fails the running test, so a report is a failure in every build, never noise.
// Thread-safe (pure functions).
#pragma once

#include <string>

namespace tessera::testing {

// The report in `output`: from the start of the line that opens the first report, at most
// `max_bytes` long; empty when there is none.
std::string FindSanitizerReport(const std::string& output, size_t max_bytes = 6000);

}  // namespace tessera::testing
