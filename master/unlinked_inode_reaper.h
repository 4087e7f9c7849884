// Frees unlinked inodes (master/ops/unlinked_inode.cc) once no mount holds them open: the
// leader lists them, asks the OpenFileTable which have gone unreported for the grace period, and
// frees them with FreeUnlinkedInodeCommands of up to kMaxInodesPerFree inodes each. The freed
// chunks are then unreferenced, and the chunk garbage collection deletes their replicas
// (orphan_collector.h).
//
// Runs on every master but acts only while this master leads, after a read barrier (so it sees
// every unlink committed before). Each free is logged in one line and counted.
//
// Threads: one scanner thread, owned here and joined by the destructor (none when
// scan_interval_ms is 0: tests call ScanOnce). mu_ guards the counters.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/periodic_thread.h"
#include "master/command_log.h"
#include "master/open_file_table.h"
#include "master/state_machine.h"

namespace tessera::master {

struct UnlinkedInodeReaperOptions {
  int scan_interval_ms = 1000;  // 0: no thread
};

struct UnlinkedInodeCounters {
  uint64_t inodes_freed = 0;    // unlinked inodes freed after their grace
  uint64_t chunks_freed = 0;    // chunks those inodes held
  uint64_t frees_failed = 0;    // free commands that did not apply (retried by a later scan)
  int64_t unlinked_inodes = 0;  // unlinked inodes at the last scan
};

class UnlinkedInodeReaper {
 public:
  // Borrows everything; all must outlive the reaper. Starts its thread.
  UnlinkedInodeReaper(UnlinkedInodeReaperOptions options, CommandLog* log,
                      const StateMachine* state, OpenFileTable* open_files);
  ~UnlinkedInodeReaper();
  UnlinkedInodeReaper(const UnlinkedInodeReaper&) = delete;
  UnlinkedInodeReaper& operator=(const UnlinkedInodeReaper&) = delete;

  // One scan: frees what may be freed now. Does nothing unless this master leads.
  void ScanOnce();
  UnlinkedInodeCounters counters() const;

 private:
  // Frees `inodes` (1..kMaxInodesPerFree) in one log entry.
  void Free(std::vector<int64_t> inodes);

  const UnlinkedInodeReaperOptions options_;
  CommandLog* const log_;
  const StateMachine* const state_;
  OpenFileTable* const open_files_;

  mutable std::mutex mu_;  // guards counters_
  UnlinkedInodeCounters counters_;

  std::unique_ptr<PeriodicThread> scanner_;  // last: started once everything above exists
};

}  // namespace tessera::master
