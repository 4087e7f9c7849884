// Which mounts holding file locks are still alive, as the leader sees it (soft state, never
// logged). Mounts heartbeat (and every lock request counts as one); a mount that holds locks
// and was silent longer than the mount timeout is reported silent, and the leader then expires
// it through the log (mount_expiry.h).
//
// Failover: the table is kept per leader tenure. The first check of a new term forgets every
// heartbeat and counts each mount holding locks as seen at that check, so that a new leader
// gives every mount a full timeout from its election and a failover never drops a live
// mount's locks.
//
// Thread-safety: thread-safe; mu_ guards everything.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "common/clock.h"

namespace tessera::master {

struct MountLivenessCounters {
  uint64_t heartbeats = 0;      // Touch calls
  uint64_t tenures = 0;         // times the table was reset for a new leader term
  uint64_t silent_found = 0;    // mounts reported silent (each then expired)
};

class MountLiveness {
 public:
  // Borrows `clock`, which must outlive this. REQUIRES: timeout_ms > 0.
  MountLiveness(const Clock* clock, int64_t timeout_ms);

  int64_t timeout_ms() const { return timeout_ns_ / 1'000'000; }
  // The mount showed it is alive (a heartbeat or a lock request).
  void Touch(int64_t mount_id);
  // The mounts of `holders` (those holding locks now) silent longer than the timeout, as the
  // leader of `term` sees it. A mount stays reported at every call until it holds no locks
  // (the caller expires it) or heartbeats again.
  std::vector<int64_t> SilentMounts(int64_t term, const std::vector<int64_t>& holders);
  MountLivenessCounters counters() const;

 private:
  const Clock* const clock_;
  const int64_t timeout_ns_;
  mutable std::mutex mu_;  // guards everything below
  int64_t term_ = -1;
  std::map<int64_t, int64_t> last_seen_ns_;  // mount id -> Clock::NowMonotonicNanos
  MountLivenessCounters counters_;
};

}  // namespace tessera::master
