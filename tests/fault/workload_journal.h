// The workload's journal: one line per metadata operation it ran on the mount, with the outcome
// and the monotonic clock at its start and end, so that a checker can replay it afterwards and
// a test can watch it while it grows.
//
// Line format (space separated; the workload's names never contain spaces):
//   SEQ OP PATH TARGET CONTENT_ID SIZE RESULT START_NS END_NS
// OP is create, mkdir, rename, unlink or read. PATH is relative to the workload's directory;
// TARGET is the new path of a rename and "-" otherwise. CONTENT_ID and SIZE name the bytes a
// create writes (see file_content.h) and are 0 for other operations. RESULT is "ok",
// "mismatch" (a read returned other bytes) or STAGE:ERRNO, where STAGE is the system call that
// failed (open, write, close, read, mkdir, rename, unlink) and ERRNO its error number.
// Times are CLOCK_MONOTONIC nanoseconds, comparable with std::chrono::steady_clock in the test.
//
// Thread-safety: plain values and functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace tessera::fault {

enum class Op { kCreate, kMkdir, kRename, kUnlink, kRead };

struct JournalEntry {
  int64_t seq = 0;
  Op op = Op::kCreate;
  std::string path;
  std::string target;  // rename only
  uint64_t content_id = 0;
  int64_t size = 0;
  std::string result;  // "ok", "mismatch" or "stage:errno"
  int64_t start_ns = 0;
  int64_t end_ns = 0;

  bool ok() const { return result == "ok"; }
  // The errno of a failed system call (0 for ok or mismatch).
  int error_number() const;
  // "ok", "mismatch" or "open: File exists", for messages.
  std::string DescribeResult() const;
  // "create f12", "rename f3 -> d1/r40", for messages.
  std::string Describe() const;
};

std::string_view OpName(Op op);

// The line for `entry`, ending in '\n'.
std::string FormatJournalLine(const JournalEntry& entry);
Result<JournalEntry> ParseJournalLine(const std::string& line);

// Every complete line of the journal at `path` (a last line without '\n', still being written,
// is left out).
Result<std::vector<JournalEntry>> ReadJournal(const std::string& path);

}  // namespace tessera::fault
