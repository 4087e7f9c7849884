#include "master/mount_liveness.h"

#include <set>

namespace tessera::master {

MountLiveness::MountLiveness(const Clock* clock, int64_t timeout_ms)
    : clock_(clock), timeout_ns_(timeout_ms * 1'000'000) {}

void MountLiveness::Touch(int64_t mount_id) {
  const int64_t now = clock_->NowMonotonicNanos();
  std::lock_guard lock(mu_);
  last_seen_ns_[mount_id] = now;
  ++counters_.heartbeats;
}

std::vector<int64_t> MountLiveness::SilentMounts(int64_t term,
                                                 const std::vector<int64_t>& holders) {
  const int64_t now = clock_->NowMonotonicNanos();
  std::lock_guard lock(mu_);
  if (term != term_) {
    // Heartbeats seen in an earlier tenure say nothing about the time in between.
    last_seen_ns_.clear();
    term_ = term;
    ++counters_.tenures;
  }
  std::vector<int64_t> silent;
  const std::set<int64_t> holding(holders.begin(), holders.end());
  for (int64_t mount_id : holding) {
    auto [it, first_seen] = last_seen_ns_.try_emplace(mount_id, now);
    if (!first_seen && now - it->second > timeout_ns_) silent.push_back(mount_id);
  }
  // Mounts without locks need no watching; forget them once they are stale, so the table stays
  // as small as the set of mounts that heartbeat.
  for (auto it = last_seen_ns_.begin(); it != last_seen_ns_.end();) {
    const bool stale = now - it->second > timeout_ns_ && !holding.contains(it->first);
    it = stale ? last_seen_ns_.erase(it) : std::next(it);
  }
  counters_.silent_found += silent.size();
  return silent;
}

MountLivenessCounters MountLiveness::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace tessera::master
