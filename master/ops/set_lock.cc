// Sets, changes or removes one file lock (fcntl F_SETLK/F_SETLKW, flock), with the rules of
// master/lock_table.h. A request that conflicts with another owner's lock is kWouldBlock and
// changes nothing; a blocking request is the client asking again. A mount that was declared
// dead (expire_mount.cc) takes no new lock (kMountExpired), so a mount that was silent past its
// timeout learns that its locks are gone instead of believing it still holds them. Unlocking
// needs no inode: a file removed while locked is unlocked at its last close. Only regular files
// are locked (FUSE sends no lock requests for other types).
#include "master/lock_store.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplySetLock(OpContext& op, const master_state::SetLockCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  const HeldLock request = LockOfCommand(command);
  RETURN_IF_ERROR(ValidateLockRequest(request));
  const bool unlock = request.type == rpc::LockType::UNLOCK;
  ApplyResult result;
  if (!unlock) {
    ASSIGN_OR_RETURN(bool expired, IsMountExpired(op.store(), request.mount_id));
    if (expired) {
      return Status::MountExpired("mount " + std::to_string(request.mount_id) +
                                  " was declared dead and lost its locks");
    }
    ASSIGN_OR_RETURN(InodeRecord record, op.RequireInode(command.inode));
    if (record.type != rpc::FileType::REGULAR) {
      return Status::InvalidArgument("inode " + std::to_string(command.inode) +
                                     " is not a regular file: only files are locked");
    }
    result.attr = ToAttr(record);
  }
  ASSIGN_OR_RETURN(std::vector<HeldLock> held, ListLocks(op.store(), command.inode));
  if (!unlock) {
    if (std::optional<HeldLock> conflict = FindConflict(held, request)) {
      return Status::WouldBlock("inode " + std::to_string(command.inode) + ": " +
                                DescribeLock(*conflict) + " conflicts");
    }
  }
  std::vector<HeldLock> own;
  bool mount_holds_others = false;  // locks of the same mount but another owner or kind
  for (const HeldLock& lock : held) {
    if (SameOwner(lock, request) && lock.kind == request.kind) {
      own.push_back(lock);
    } else if (lock.mount_id == request.mount_id) {
      mount_holds_others = true;
    }
  }
  const std::vector<HeldLock> after = ApplyToOwnLocks(own, request);
  for (const HeldLock& lock : own) DeleteLock(op.batch(), command.inode, lock);
  for (const HeldLock& lock : after) PutLock(op.batch(), command.inode, lock);
  SetMountHoldsLocks(op.batch(), request.mount_id, command.inode,
                     mount_holds_others || !after.empty());
  return result;
}

}  // namespace tessera::master
