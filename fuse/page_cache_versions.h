// Which version of each file's data this mount's kernel page cache may hold, so that an open
// keeps the cached pages (fuse_file_info::keep_cache) only when the file has not changed since
// the mount cached it, and drops them otherwise (close-to-open, DESIGN.md).
//
// A version is (size, mtime, ctime) as the master answers them. Every change of a file's data
// moves its ctime on the master: commitWrite and reserveAppend set mtime = ctime, setattr
// (truncate, O_TRUNC) sets ctime, and ctime cannot be set by users (utimensat sets atime and
// mtime only, and moves ctime). So a write by any client changes the version, unless two
// changes land on the very same nanosecond of their clocks. The atime update of reads leaves
// ctime alone on purpose (master/ops/touch_atime.cc), so reading does not drop caches.
//
// Thread-safety: thread-safe; mu_ guards versions_. The table is bounded: when it reaches
// kMaxTracked inodes it is emptied, which costs only cache drops at the next opens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "gen-cpp/tessera_types.h"

namespace tessera::fuse {

struct DataVersion {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const DataVersion&) const = default;
};

DataVersion DataVersionOf(const rpc::Attr& attr);

class PageCacheVersions {
 public:
  static constexpr size_t kMaxTracked = size_t{1} << 20;

  // An open of `inode` whose attributes the master just answered: true when the pages the
  // kernel holds are of this very version (keep them), false when they may be older (drop
  // them). Either way, `fresh` is the version the cache holds from now on.
  // This mount's own writes need no hook: their commits move ctime like anyone's, so the next
  // open after them drops the (written-through, coherent) pages, which is safe and cheap.
  bool KeepOnOpen(int64_t inode, const rpc::Attr& fresh);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<int64_t, DataVersion> versions_;  // guarded by mu_
};

}  // namespace tessera::fuse
