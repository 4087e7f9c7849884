#include "fuse/page_cache_versions.h"

namespace tessera::fuse {

DataVersion DataVersionOf(const rpc::Attr& attr) {
  return DataVersion{.size = attr.size, .mtime_ns = attr.mtime_ns, .ctime_ns = attr.ctime_ns};
}

bool PageCacheVersions::KeepOnOpen(int64_t inode, const rpc::Attr& fresh) {
  const DataVersion version = DataVersionOf(fresh);
  std::lock_guard lock(mu_);
  auto it = versions_.find(inode);
  if (it != versions_.end()) {
    const bool unchanged = it->second == version;
    it->second = version;
    return unchanged;
  }
  if (versions_.size() >= kMaxTracked) versions_.clear();
  versions_.emplace(inode, version);
  // Never seen by this mount: whatever the kernel holds (nothing, normally) is not vouched for.
  return false;
}

size_t PageCacheVersions::size() const {
  std::lock_guard lock(mu_);
  return versions_.size();
}

}  // namespace tessera::fuse
