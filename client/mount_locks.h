// The file locks of one mount, as its client library sees them: FileSystem::SetLock, GetLock
// and ReleaseLocks (file_system.h) over the master's lock table, with the cache coherence that
// makes locks useful to programs such as SQLite that keep a file open between transactions:
//   - before an unlock or a read lock (possibly a downgrade) leaves this mount, the inode's
//     buffered writes are committed, so the next holder can read them;
//   - after a lock is granted, this mount's cached view of the inode is dropped (size, readahead,
//     chunk locations), so reads see what the previous holder committed.
// (The kernel's page cache is the mount's to drop: fuse/lock_ops.cc.)
//
// It also remembers which (inode, owner, kind) may hold locks, so that close() costs a master
// call only when the closing owner ever locked the file, and it starts the mount's heartbeat at
// the first lock.
//
// Thread-safety: thread-safe; mu_ guards maybe_held_, the rest is borrowed or self-locking.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <tuple>

#include "client/chunk_location_cache.h"
#include "client/file_system.h"
#include "client/inode_state.h"
#include "client/master_connection.h"
#include "client/mount_heartbeat.h"

namespace tessera::client {

class MountLocks {
 public:
  // Borrows everything; all must outlive this. REQUIRES: mount_id > 0.
  MountLocks(int64_t mount_id, MasterConnection& master, InodeRegistry& inodes,
             ChunkLocationCache& locations);

  Result<rpc::Attr> Set(const Caller& caller, const LockRequest& request);
  Result<rpc::FileLock> Get(const Caller& caller, const LockRequest& request);
  Status Release(const Caller& caller, int64_t inode, uint64_t owner, rpc::LockKind::type kind);

 private:
  using HeldKey = std::tuple<int64_t, uint64_t, int>;  // inode, owner, kind

  rpc::FileLock WireLock(const LockRequest& request) const;
  // Commits every buffered write of `inode` in this mount.
  Status CommitWrites(int64_t inode);
  // A lock on `inode` was granted and the master's attributes are `attr`.
  void DropCachedData(int64_t inode, const rpc::Attr& attr);

  const int64_t mount_id_;
  MasterConnection& master_;
  InodeRegistry& inodes_;
  ChunkLocationCache& locations_;
  MountHeartbeat heartbeat_;
  std::mutex mu_;  // guards maybe_held_
  std::set<HeldKey> maybe_held_;
};

}  // namespace tessera::client
