// Write leases (DESIGN.md, master): which chain of replicas may write a chunk at which version.
//
// A lease is granted when a writer asks for a chunk that has none, or whose lease lapsed, or
// whose chain lost a member: the chunk then takes a new version (stamped on the chain, then
// logged), so every replica left out of the chain is stale from that moment and never read.
// Within a lease, writers get the same chain at the same version without any log entry, which
// keeps the cost of a version bump to one per lease rather than one per write.
//
// The table is soft state of the leader. Losing it (restart, failover) costs only a new bump at
// the next write: the version in the record, not the table, decides what is current.
//
// Thread-safety: every method is thread-safe; mu_ guards all state and no I/O runs under it.
// Grants of one chunk are serialized with TryBeginGrant/EndGrant, because a grant does I/O (the
// stamps and the log entry) that must not run twice at once for the same chunk.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "common/clock.h"

namespace tessera::master {

struct WriteLease {
  int64_t version = 0;
  std::vector<int64_t> chain;  // server ids, primary first
  int64_t expires_ns = 0;      // Clock::NowMonotonicNanos
};

struct WriteLeaseCounters {
  uint64_t granted = 0;   // leases that came with a new version (or a new chunk)
  uint64_t extended = 0;  // writers that found a lease still valid
};

class WriteLeaseTable {
 public:
  // Borrows `clock`, which must outlive the table. REQUIRES: duration_ms > 0.
  WriteLeaseTable(const Clock* clock, int64_t duration_ms);

  // The lease of `chunk_id` when it has not lapsed and is for `version`; its term is extended.
  std::optional<WriteLease> Renew(int64_t chunk_id, int64_t version);
  // Records a new lease of `chunk_id` for `chain` at `version`, replacing any other.
  void Grant(int64_t chunk_id, int64_t version, std::vector<int64_t> chain);
  // The chunk's lease is void (a member of its chain dropped out).
  void Revoke(int64_t chunk_id);

  // False when another grant of `chunk_id` is running; otherwise the caller must EndGrant.
  bool TryBeginGrant(int64_t chunk_id);
  void EndGrant(int64_t chunk_id);

  size_t size() const;
  WriteLeaseCounters counters() const;

 private:
  // Drops lapsed leases once the table doubled since the last sweep (amortized O(1) per grant).
  void SweepLocked(int64_t now);

  const Clock* const clock_;
  const int64_t duration_ns_;
  mutable std::mutex mu_;  // guards everything below
  std::map<int64_t, WriteLease> leases_;
  std::set<int64_t> granting_;
  size_t size_after_sweep_ = 0;
  WriteLeaseCounters counters_;
};

}  // namespace tessera::master
