#include "master/lock_store.h"

#include "master/keys.h"
#include "master/records.h"

namespace tessera::master {
namespace {

// "Lr" + inode + kind + mount + owner + start.
constexpr size_t kLockKeySize = 2 + 8 + 1 + 8 + 8 + 8;
// "Lm" + mount + inode.
constexpr size_t kMountLockKeySize = 2 + 8 + 8;

}  // namespace

HeldLock LockOfCommand(const master_state::SetLockCommand& command) {
  HeldLock lock;
  lock.mount_id = command.mount_id;
  lock.owner = command.owner;
  lock.kind = command.kind;
  lock.type = command.type;
  lock.start = command.start;
  lock.end = command.last;
  lock.pid = command.pid;
  return lock;
}

master_state::SetLockCommand SetLockCommandOf(int64_t inode, const HeldLock& lock) {
  master_state::SetLockCommand command;
  command.inode = inode;
  command.mount_id = lock.mount_id;
  command.owner = lock.owner;
  command.kind = lock.kind;
  command.type = lock.type;
  command.start = lock.start;
  command.last = lock.end;
  command.pid = lock.pid;
  return command;
}

Result<std::vector<HeldLock>> ListLocks(const MetaStore& store, int64_t inode) {
  std::vector<HeldLock> locks;
  RETURN_IF_ERROR(store.ForEachWithPrefix(
      LockPrefix(inode), [&](std::string_view key, std::string_view value) -> Status {
        if (key.size() != kLockKeySize) return Status::Corruption("malformed lock key");
        ASSIGN_OR_RETURN(LockRecord record, DecodeLock(value));
        HeldLock lock;
        lock.kind = static_cast<uint8_t>(key[10]);
        lock.mount_id = static_cast<int64_t>(ReadBigEndian64(key.substr(11)));
        lock.owner = static_cast<int64_t>(ReadBigEndian64(key.substr(19)));
        lock.start = static_cast<int64_t>(ReadBigEndian64(key.substr(27)));
        lock.type = record.type;
        lock.end = record.last;
        lock.pid = record.pid;
        if (lock.end < lock.start || ValidateLockRequest(lock).code() != StatusCode::kOk) {
          return Status::Corruption("lock record holds impossible values");
        }
        locks.push_back(lock);
        return Status::Ok();
      }));
  return locks;
}

Result<std::vector<int64_t>> ListLockedInodes(const MetaStore& store, int64_t mount_id) {
  std::vector<int64_t> inodes;
  RETURN_IF_ERROR(store.ForEachWithPrefix(
      MountLockPrefix(mount_id), [&](std::string_view key, std::string_view) -> Status {
        if (key.size() != kMountLockKeySize) return Status::Corruption("malformed mount lock key");
        inodes.push_back(static_cast<int64_t>(ReadBigEndian64(key.substr(10))));
        return Status::Ok();
      }));
  return inodes;
}

Result<std::vector<int64_t>> ListMountsHoldingLocks(const MetaStore& store) {
  std::vector<int64_t> mounts;
  RETURN_IF_ERROR(store.ForEachWithPrefix(
      kMountLockPrefix, [&](std::string_view key, std::string_view) -> Status {
        if (key.size() != kMountLockKeySize) return Status::Corruption("malformed mount lock key");
        const auto mount_id = static_cast<int64_t>(ReadBigEndian64(key.substr(2)));
        if (mounts.empty() || mounts.back() != mount_id) mounts.push_back(mount_id);
        return Status::Ok();
      }));
  return mounts;
}

Result<bool> IsMountExpired(const MetaStore& store, int64_t mount_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetValue(ExpiredMountKey(mount_id)));
  if (!value) return false;
  RETURN_IF_ERROR(DecodeExpiredMount(*value).status());
  return true;
}

void PutLock(leveldb::WriteBatch* batch, int64_t inode, const HeldLock& lock) {
  LockRecord record;
  record.type = lock.type;
  record.last = lock.end;
  record.pid = lock.pid;
  batch->Put(LockKey(inode, lock.kind, lock.mount_id, lock.owner, lock.start), EncodeLock(record));
}

void DeleteLock(leveldb::WriteBatch* batch, int64_t inode, const HeldLock& lock) {
  batch->Delete(LockKey(inode, lock.kind, lock.mount_id, lock.owner, lock.start));
}

void SetMountHoldsLocks(leveldb::WriteBatch* batch, int64_t mount_id, int64_t inode, bool holds) {
  if (holds) {
    batch->Put(MountLockKey(mount_id, inode), "");
  } else {
    batch->Delete(MountLockKey(mount_id, inode));
  }
}

void PutExpiredMount(leveldb::WriteBatch* batch, int64_t mount_id, int64_t time_ns) {
  ExpiredMountRecord record;
  record.time_ns = time_ns;
  batch->Put(ExpiredMountKey(mount_id), EncodeExpiredMount(record));
}

}  // namespace tessera::master
