#include "fuse/groups_cache.h"

namespace tessera::fuse {

std::vector<uint32_t> GroupsCache::Get(pid_t pid, uint32_t uid, uint32_t gid,
                                       const std::function<std::vector<uint32_t>()>& fetch) {
  const Key key{pid, uid, gid};
  const int64_t ttl_ns = std::chrono::nanoseconds(kTtl).count();
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && clock_->NowMonotonicNanos() - it->second.fetched_at_ns < ttl_ns) {
      return it->second.groups;
    }
  }
  std::vector<uint32_t> groups = fetch();
  std::lock_guard lock(mu_);
  // Processes come and go; rather than aging entries one by one, start over when full.
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = Entry{groups, clock_->NowMonotonicNanos()};
  return groups;
}

}  // namespace tessera::fuse
