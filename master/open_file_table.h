// Which inodes the mounts hold open, as they last reported it (MasterService.reportOpenFiles):
// soft state of the leader, never logged. A new leader starts with an empty table and hears
// every live mount within one report interval (common/open_files.h).
//
// The table decides when an unlinked inode may be freed: once, for a whole grace period, no
// report has named it. The period runs from the latest of
//   - the first time this leader's term listed the inode as unlinked (Expired), so that a new
//     leader waits a whole grace before freeing anything: it first hears every live mount;
//   - the last report naming it, so that a mount that opened the file just before another mount
//     unlinked it keeps it, provided it reports within the grace.
// A mount that dies or stays cut off from the leader longer than the grace loses its files.
//
// Thread-safety: thread-safe; mu_ guards everything. Every call names the leader term it runs
// in; a call with a term other than the table's starts the table afresh.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace tessera::master {

struct OpenFileTableCounts {
  int64_t mounts = 0;            // mounts that reported within the grace
  int64_t open_inodes = 0;       // inodes named by a report within the grace
  int64_t unlinked_waiting = 0;  // unlinked inodes whose grace has not run out
};

class OpenFileTable {
 public:
  // Borrows `clock`, which must outlive the table. REQUIRES: grace_ms > 0.
  OpenFileTable(const Clock* clock, int64_t grace_ms);

  // Mount `mount_id` holds `inodes` open (a report received while leading in `term`).
  void Report(int64_t term, int64_t mount_id, const std::vector<int64_t>& inodes);
  // `unlinked`: every unlinked inode of the namespace now. Returns those whose grace ran out
  // (they may be freed) and forgets them, and everything older than the grace.
  std::vector<int64_t> Expired(int64_t term, const std::vector<int64_t>& unlinked);
  OpenFileTableCounts counts() const;
  int64_t grace_ms() const { return grace_ns_ / 1'000'000; }

 private:
  // REQUIRES: mu_ held.
  void StartTermLocked(int64_t term);

  const Clock* const clock_;
  const int64_t grace_ns_;
  mutable std::mutex mu_;  // guards everything below
  int64_t term_ = -1;
  std::unordered_map<int64_t, int64_t> mount_reported_ns_;  // mount id -> its last report
  std::unordered_map<int64_t, int64_t> open_reported_ns_;   // inode -> last report naming it
  std::unordered_map<int64_t, int64_t> unlinked_seen_ns_;   // inode -> first listed this term
};

}  // namespace tessera::master
