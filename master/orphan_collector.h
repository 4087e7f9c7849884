// Garbage collection of chunk replicas that no file references (DESIGN.md, replication manager):
// chunks of removed or truncated files, and chunks that writers or copies left behind.
//
// The collector holds no list of deletions that a failover could lose: each scan compares what
// chunk servers report (the registry, rebuilt by every new leader) with what the namespace
// references, so a deletion that a dead leader never sent is found again by the next one. A chunk
// id must stay unreferenced for a whole grace period, across scans, before its replicas go: that
// covers a chunk allocated between the two reads of one scan, and gives an operator time to
// notice a mistake.
//
// Safety rests on the order of a scan (ReplicationManager::ScanOnce): the registry's chunk ids
// are read first, then the namespace after a read barrier. A chunk server learns of a chunk only
// from a writer that got it from prepareWrite, which answers after the allocation was applied,
// so every id read from the registry was in the namespace before the namespace is read.
//
// Thread-safety: not thread-safe; owned by the replication manager's scanner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"

namespace tessera::master {

class OrphanCollector {
 public:
  // Borrows `clock`, which must outlive the collector. REQUIRES: grace_ms >= 0.
  OrphanCollector(const Clock* clock, int64_t grace_ms);

  // `known`: chunk ids the registry knows a replica of, read before `referenced`, every chunk id
  // of the namespace. Returns the known ids unreferenced in every call for at least the grace
  // period; they are forgotten here (the caller deletes them).
  std::vector<int64_t> Collect(const std::vector<int64_t>& known,
                               const std::unordered_set<int64_t>& referenced);
  // Starts every grace period again (a new leadership tenure: what was seen before is void).
  void Reset();
  // Chunk ids waiting for their grace period to end.
  size_t waiting() const { return unreferenced_since_ns_.size(); }

 private:
  const Clock* const clock_;
  const int64_t grace_ns_;
  std::unordered_map<int64_t, int64_t> unreferenced_since_ns_;  // chunk id -> first seen
};

}  // namespace tessera::master
