// Supplementary groups of recent callers, so that a FUSE request does not read them afresh.
//
// fuse_req_getgroups opens and parses /proc/PID/status: two syscalls and a file parse per
// request, measured at a third of a lookup's cost in the mount. A process's groups rarely
// change, so an entry is reused for kTtl. It is keyed by (pid, uid, gid): a pid reused by another
// user's process within kTtl misses the cache instead of borrowing the earlier process's groups.
//
// Thread-safe: mu_ guards entries_; the fetch runs outside the lock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "common/clock.h"

namespace tessera::fuse {

class GroupsCache {
 public:
  static constexpr std::chrono::milliseconds kTtl{1000};
  static constexpr size_t kMaxEntries = 4096;

  // Borrows `clock`, which must outlive the cache.
  explicit GroupsCache(const Clock* clock) : clock_(clock) {}

  // The groups of (pid, uid, gid): cached, or from `fetch` (then remembered).
  std::vector<uint32_t> Get(pid_t pid, uint32_t uid, uint32_t gid,
                            const std::function<std::vector<uint32_t>()>& fetch);

 private:
  using Key = std::tuple<pid_t, uint32_t, uint32_t>;
  struct Entry {
    std::vector<uint32_t> groups;
    int64_t fetched_at_ns = 0;
  };

  const Clock* const clock_;
  std::mutex mu_;
  std::map<Key, Entry> entries_;  // guarded by mu_
};

}  // namespace tessera::fuse
