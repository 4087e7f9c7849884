// Declares a mount dead: the leader saw no heartbeat from it for longer than the mount timeout
// (master/mount_liveness.h). Every lock it holds is released, so other mounts can take them,
// and the mount is remembered as expired so that it can take no new lock: a mount that comes
// back after a long partition must not believe it still holds what others now hold.
#include "master/lock_store.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyExpireMount(OpContext& op,
                                     const master_state::ExpireMountCommand& command) {
  if (command.mount_id <= 0) {
    return Status::InvalidArgument("mount id " + std::to_string(command.mount_id) + " <= 0");
  }
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(std::vector<int64_t> inodes, ListLockedInodes(op.store(), command.mount_id));
  for (int64_t inode : inodes) {
    ASSIGN_OR_RETURN(std::vector<HeldLock> held, ListLocks(op.store(), inode));
    for (const HeldLock& lock : held) {
      if (lock.mount_id == command.mount_id) DeleteLock(op.batch(), inode, lock);
    }
    SetMountHoldsLocks(op.batch(), command.mount_id, inode, false);
  }
  PutExpiredMount(op.batch(), command.mount_id, command.time_ns);
  return ApplyResult{};
}

}  // namespace tessera::master
