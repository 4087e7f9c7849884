// Readahead: a small per-file window of bytes fetched ahead of a sequential reader.
//
// After each sequential read, Advance starts one background fetch of the next
// ClientOptions::readahead_bytes (never past the file size) unless a fetch is already in
// flight or the window still holds half a window ahead of the reader. A fetch that continues
// the current window is appended to it (bytes already consumed are dropped). Serve copies
// from the window, first waiting for a fetch in flight that covers the wanted offset.
//
// Every window carries the inode's write generation (inode_state.h) from when its fetch was
// decided; Serve uses it only while the generation is unchanged, so a write or truncate by
// this process makes the window worthless instead of stale.
//
// Thread-safety: thread-safe; mu_ guards every member below it. The fetch itself runs on the
// TaskPool without mu_ held. Owned through shared_ptr: a fetch in flight keeps it alive.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "client/task_pool.h"
#include "common/status.h"

namespace tessera::client {

class Readahead : public std::enable_shared_from_this<Readahead> {
 public:
  // Reads exactly out.size() bytes at offset (zeros for holes).
  using Fetch = std::function<Status(int64_t offset, std::span<std::byte> out)>;

  Readahead(TaskPool& pool, int64_t window_bytes, Fetch fetch)
      : pool_(pool), window_bytes_(window_bytes), fetch_(std::move(fetch)) {}

  // Copies the bytes at `offset` that the window holds into the front of `out`; returns how
  // many (0 when the window does not hold `offset` for this generation).
  size_t Serve(int64_t offset, std::span<std::byte> out, uint64_t generation);
  // A sequential reader has consumed everything before `end`.
  void Advance(int64_t end, int64_t file_size, uint64_t generation);

 private:
  void RunFetch(int64_t offset, int64_t length, uint64_t generation);
  int64_t WindowEnd() const { return window_offset_ + static_cast<int64_t>(window_.size()); }

  TaskPool& pool_;
  const int64_t window_bytes_;
  const Fetch fetch_;

  std::mutex mu_;
  std::condition_variable fetch_done_;
  bool fetching_ = false;
  int64_t fetch_offset_ = 0;
  int64_t fetch_end_ = 0;
  int64_t consumed_end_ = 0;
  int64_t window_offset_ = 0;
  std::string window_;
  uint64_t window_generation_ = 0;
};

}  // namespace tessera::client
