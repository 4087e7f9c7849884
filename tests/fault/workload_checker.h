// The checker of the fault tests: replays a workload's journal (workload_model.h) and compares
// what it must have produced with the tree the mount shows now.
//
// It reports a violation for every outcome that proves a retry was applied twice or an
// acknowledged operation was lost, for every file or directory the workload was told exists
// that is missing or (for a file) holds other bytes than it wrote, and for every entry the
// workload never created (or whose creation it was told failed for certain).
// Thread-safety: pure functions over their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/fault/workload_journal.h"

namespace tessera::fault {

struct WorkloadReport {
  int64_t operations = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;     // errors that left names uncertain
  int64_t files = 0;      // files the workload knows exist at the end
  std::vector<std::string> failures;  // the failed operations, described
  std::vector<std::string> violations;

  // "1234 operations (1200 ok, 34 failed), 300 files; 0 violations", then the first failures
  // and every violation.
  std::string Summary() const;
};

// REQUIRES: the workload that wrote `journal` has stopped. `dir` is its directory on a mount.
Result<WorkloadReport> CheckWorkload(const std::vector<JournalEntry>& journal,
                                     const std::string& dir);

// How the workload went on around a fault at `since_ns` (CLOCK_MONOTONIC).
struct ProgressSince {
  int64_t in_flight = 0;          // operations that started before it and ended after it
  int64_t succeeded = 0;          // operations that started at or after it and succeeded
  int64_t first_success_ns = -1;  // the first of them ended this long after it; -1 if none
};
ProgressSince ProgressAfter(const std::vector<JournalEntry>& journal, int64_t since_ns);

}  // namespace tessera::fault
