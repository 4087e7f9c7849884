// ChunkLocationCache: (inode, chunk index) -> where that chunk lives, or "known hole".
//
// Entries come from getChunks and prepareWrite. They are dropped when a read with them fails,
// when the file is truncated, and for the whole inode when the file is opened (close-to-open:
// an opener must see chunks written by others before it opened). The cache is bounded; when
// it is full it starts over, which costs only extra getChunks calls.
//
// Thread-safety: thread-safe; mu_ guards entries_.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "gen-cpp/tessera_types.h"

namespace tessera::client {

class ChunkLocationCache {
 public:
  // A cached lookup: nullopt when nothing is cached; otherwise the chunk or, when its inner
  // optional is empty, a known hole.
  using Entry = std::optional<rpc::ChunkInfo>;

  explicit ChunkLocationCache(size_t max_entries = 1 << 16) : max_entries_(max_entries) {}

  std::optional<Entry> Get(int64_t inode, int64_t chunk_index) const;
  void Put(int64_t inode, int64_t chunk_index, Entry entry);
  void Erase(int64_t inode, int64_t chunk_index);
  void EraseInode(int64_t inode);

 private:
  const size_t max_entries_;
  mutable std::mutex mu_;  // guards entries_
  std::map<std::pair<int64_t, int64_t>, Entry> entries_;
};

}  // namespace tessera::client
