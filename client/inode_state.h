// Per-inode state shared by every OpenFile of one inode in this process, so that reads and
// GetAttr see this client's own writes before they are committed on the master.
//
// InodeState holds:
//   - the size last learned from the master and the highest end written locally and not yet
//     known to be committed; the file size this client sees is the larger of the two;
//   - a write generation, bumped by every write and truncate, which tells readahead whether
//     the bytes it fetched may be stale;
//   - the writers (one per writable OpenFile), so that a read can first push out pending
//     writes that overlap it, and a truncate can flush them all first.
//
// Thread-safety: thread-safe. mu_ guards the sizes, the generation and the writer list. Writers
// are called without mu_ held (they do network I/O).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"

namespace tessera::client {

// What InodeState needs from a writer (FileWriter implements it).
class PendingWriteSource {
 public:
  virtual ~PendingWriteSource() = default;
  // Sends buffered data overlapping [offset, offset + length) and waits for every piece in
  // flight. Returns the writer's first error, if any.
  virtual Status FlushRange(int64_t offset, int64_t length) = 0;
  // Sends everything, waits, and commits the size on the master.
  virtual Status Flush() = 0;
  virtual bool HasPendingData() const = 0;
};

class InodeState {
 public:
  explicit InodeState(int64_t inode) : inode_(inode) {}
  int64_t inode() const { return inode_; }

  // The master reported `size` (getattr, lookup, setattr).
  void NoteMasterSize(int64_t size);
  // This process wrote up to `end` (buffered, not yet committed).
  void NoteWrite(int64_t end);
  // commitWrite(end) succeeded and the master now reports `master_size`.
  void NoteCommitted(int64_t end, int64_t master_size);
  // The file was truncated (or extended) to `size` by SetAttr; REQUIRES all writers flushed.
  void NoteTruncated(int64_t size);
  // Another client may have changed the file (a lock was just granted): the master's size is
  // `master_size` and bytes fetched before (readahead) must not be served.
  void NoteRemoteChange(int64_t master_size);

  // The larger of the master's size and the local uncommitted end.
  int64_t VisibleSize() const;
  // 0 when everything written locally is known to be committed.
  int64_t LocalUncommittedEnd() const;
  // Whether a local write not yet committed ends past the master's size: the file's end as the
  // master knows it is then not the end this process has written.
  bool HasUncommittedGrowth() const;
  uint64_t generation() const;

  void AddWriter(const std::shared_ptr<PendingWriteSource>& writer);
  Status FlushOverlapping(int64_t offset, int64_t length);
  // The same for every writer but `self`: a write through one descriptor must land after the
  // writes other descriptors of this process made before it (pieces travel in parallel).
  // REQUIRES: the caller holds no writer's lock (each FlushRange takes its writer's).
  Status FlushOthersOverlapping(const PendingWriteSource* self, int64_t offset, int64_t length);
  Status FlushAllWriters();
  bool HasPendingWrites() const;

 private:
  std::vector<std::shared_ptr<PendingWriteSource>> LiveWriters() const;

  const int64_t inode_;
  mutable std::mutex mu_;  // guards everything below
  int64_t master_size_ = 0;
  int64_t uncommitted_end_ = 0;
  uint64_t generation_ = 0;
  mutable std::vector<std::weak_ptr<PendingWriteSource>> writers_;
};

// inode -> InodeState for the inodes with an OpenFile. Entries go away with their last user.
// Thread-safe; mu_ guards states_.
class InodeRegistry {
 public:
  // The state of `inode`; a new one starts with `master_size`. An existing one keeps its own:
  // every attribute this process handed out since went through FileSystemImpl's overlay, which
  // noted the master's size, while the caller's size may be that overlay's (the larger of the
  // master's and this process's own uncommitted end).
  std::shared_ptr<InodeState> GetOrCreate(int64_t inode, int64_t master_size);
  // nullptr when no OpenFile of the inode exists.
  std::shared_ptr<InodeState> Find(int64_t inode) const;
  // The inodes with an OpenFile now, in inode order (reported to the master: they must outlive an
  // unlink).
  std::vector<int64_t> OpenInodes() const;

 private:
  mutable std::mutex mu_;
  mutable std::map<int64_t, std::weak_ptr<InodeState>> states_;
};

}  // namespace tessera::client
