// File locks in the namespace database (layout in master/keys.h): reading them for the apply
// of lock commands, for F_GETLK and for the leader's mount expiry, and writing them into a
// command's batch. The "Lm" index lets a dead mount's locks be found without a full scan.
//
// Pure functions over the store; thread-safety as the store.
#pragma once

#include <leveldb/write_batch.h>

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "master/lock_table.h"
#include "master/meta_store.h"

namespace tessera::master {

// The request a SetLockCommand carries, and the command that carries `lock` for `inode`.
HeldLock LockOfCommand(const master_state::SetLockCommand& command);
master_state::SetLockCommand SetLockCommandOf(int64_t inode, const HeldLock& lock);

// Every lock on `inode`, both kinds, in key order.
Result<std::vector<HeldLock>> ListLocks(const MetaStore& store, int64_t inode);
// The inodes on which `mount_id` holds at least one lock.
Result<std::vector<int64_t>> ListLockedInodes(const MetaStore& store, int64_t mount_id);
// Every mount holding at least one lock, in id order.
Result<std::vector<int64_t>> ListMountsHoldingLocks(const MetaStore& store);
// Whether the mount was declared dead (ExpireMountCommand).
Result<bool> IsMountExpired(const MetaStore& store, int64_t mount_id);

void PutLock(leveldb::WriteBatch* batch, int64_t inode, const HeldLock& lock);
void DeleteLock(leveldb::WriteBatch* batch, int64_t inode, const HeldLock& lock);
// Keeps the "Lm" index of (mount_id, inode) in line with whether the mount holds locks there.
void SetMountHoldsLocks(leveldb::WriteBatch* batch, int64_t mount_id, int64_t inode, bool holds);
void PutExpiredMount(leveldb::WriteBatch* batch, int64_t mount_id, int64_t time_ns);

}  // namespace tessera::master
