// Tells the master leader which inodes this mount holds open, about once per
// kOpenFilesReportIntervalMs (common/open_files.h), so that a file whose last name another
// client (or this one) removes stays readable and writable here until the last close. The
// leader frees such a file once no mount has named it for its grace period; a mount that dies
// stops reporting, and its files are freed after the grace.
//
// Nothing is sent while nothing is open: a report only ever protects, so silence is safe.
//
// Threads: one reporting thread, owned here, stopped and joined by the destructor (a report in
// flight finishes first, bounded by the master client's retry deadline). mu_ guards the
// counters.
#pragma once

#include <cstdint>
#include <mutex>

#include "client/inode_state.h"
#include "client/master_connection.h"
#include "common/periodic_thread.h"

namespace tessera::client {

struct OpenFileReportCounters {
  uint64_t reports_sent = 0;
  uint64_t reports_failed = 0;
};

class OpenFileReporter {
 public:
  // Borrows `master` and `inodes`, which must outlive the reporter. REQUIRES: mount_id > 0,
  // interval_ms > 0. Starts the thread.
  OpenFileReporter(MasterConnection& master, const InodeRegistry& inodes, int64_t mount_id,
                   int interval_ms);
  OpenFileReporter(const OpenFileReporter&) = delete;
  OpenFileReporter& operator=(const OpenFileReporter&) = delete;

  // Sends the open inodes now (in several reports when there are many). Thread-safe.
  Status ReportOnce();
  OpenFileReportCounters counters() const;

 private:
  MasterConnection& master_;
  const InodeRegistry& inodes_;
  const int64_t mount_id_;

  mutable std::mutex mu_;  // guards everything below
  OpenFileReportCounters counters_;
  bool last_failed_ = false;  // logs a failure once, not every interval

  PeriodicThread thread_;  // last: started once everything above exists
};

}  // namespace tessera::client
