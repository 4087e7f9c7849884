#include "client/chunk_location_cache.h"

#include <limits>

namespace tessera::client {

std::optional<ChunkLocationCache::Entry> ChunkLocationCache::Get(int64_t inode,
                                                                 int64_t chunk_index) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find({inode, chunk_index});
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void ChunkLocationCache::Put(int64_t inode, int64_t chunk_index, Entry entry) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_[{inode, chunk_index}] = std::move(entry);
}

void ChunkLocationCache::Erase(int64_t inode, int64_t chunk_index) {
  std::lock_guard lock(mu_);
  entries_.erase({inode, chunk_index});
}

void ChunkLocationCache::EraseInode(int64_t inode) {
  std::lock_guard lock(mu_);
  auto first = entries_.lower_bound({inode, std::numeric_limits<int64_t>::min()});
  auto last = entries_.upper_bound({inode, std::numeric_limits<int64_t>::max()});
  entries_.erase(first, last);
}

}  // namespace tessera::client
