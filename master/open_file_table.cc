#include "master/open_file_table.h"

#include <algorithm>
#include <unordered_set>

namespace tessera::master {

namespace {

// Drops the entries of `times` a whole grace old (at or before `expired_ns`): they protect
// nothing any more.
void DropExpired(std::unordered_map<int64_t, int64_t>& times, int64_t expired_ns) {
  std::erase_if(times, [expired_ns](const auto& entry) { return entry.second <= expired_ns; });
}

}  // namespace

OpenFileTable::OpenFileTable(const Clock* clock, int64_t grace_ms)
    : clock_(clock), grace_ns_(grace_ms * 1'000'000) {}

void OpenFileTable::StartTermLocked(int64_t term) {
  if (term == term_) return;
  term_ = term;
  mount_reported_ns_.clear();
  open_reported_ns_.clear();
  unlinked_seen_ns_.clear();
}

void OpenFileTable::Report(int64_t term, int64_t mount_id, const std::vector<int64_t>& inodes) {
  const int64_t now = clock_->NowMonotonicNanos();
  std::lock_guard lock(mu_);
  StartTermLocked(term);
  mount_reported_ns_[mount_id] = now;
  for (int64_t inode : inodes) open_reported_ns_[inode] = now;
}

std::vector<int64_t> OpenFileTable::Expired(int64_t term, const std::vector<int64_t>& unlinked) {
  const int64_t now = clock_->NowMonotonicNanos();
  const int64_t expired_ns = now - grace_ns_;
  std::lock_guard lock(mu_);
  StartTermLocked(term);
  DropExpired(mount_reported_ns_, expired_ns);
  DropExpired(open_reported_ns_, expired_ns);
  // Inodes freed or otherwise gone since the last call are no longer waited for.
  const std::unordered_set<int64_t> listed(unlinked.begin(), unlinked.end());
  std::erase_if(unlinked_seen_ns_,
                [&listed](const auto& entry) { return !listed.contains(entry.first); });
  std::vector<int64_t> expired;
  for (int64_t inode : unlinked) {
    const int64_t seen = unlinked_seen_ns_.try_emplace(inode, now).first->second;
    const auto reported = open_reported_ns_.find(inode);
    const int64_t last_held =
        reported == open_reported_ns_.end() ? seen : std::max(seen, reported->second);
    if (now - last_held >= grace_ns_) expired.push_back(inode);
  }
  for (int64_t inode : expired) unlinked_seen_ns_.erase(inode);
  return expired;
}

OpenFileTableCounts OpenFileTable::counts() const {
  std::lock_guard lock(mu_);
  return OpenFileTableCounts{static_cast<int64_t>(mount_reported_ns_.size()),
                             static_cast<int64_t>(open_reported_ns_.size()),
                             static_cast<int64_t>(unlinked_seen_ns_.size())};
}

}  // namespace tessera::master
