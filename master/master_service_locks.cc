// MasterService handlers of file locks (fcntl record locks and flock; rules in lock_table.h).
//
// Locks are replicated state: setLock proposes a SetLockCommand through the request's session,
// so a retry after failover is answered, not applied twice, and every master knows every lock.
// Blocking requests (F_SETLKW) never wait here: a handler thread parked on a lock could starve
// the server, so WOULD_BLOCK goes back at once and the client asks again after a pause.
// No permission bits are checked: the kernel already requires a descriptor open for reading
// (read locks) or writing (write locks), and Linux lets a process lock a file it can no longer
// open. Every lock request and heartbeat counts as a sign of life of its mount (mount_liveness.h).
#include <limits>

#include "common/logging.h"
#include "common/rpc_errors.h"
#include "common/wire_enum.h"
#include "master/lock_store.h"
#include "master/master_service.h"
#include "master/request_validation.h"

namespace tessera::master {

namespace {

// The wire's [start, start + length) (length 0: to the end of the file) as an inclusive range.
Result<HeldLock> HeldLockOf(const rpc::FileLock& lock) {
  RETURN_IF_ERROR(ValidateInode(lock.inode));
  if (lock.start < 0 || lock.length < 0) {
    return Status::InvalidArgument("lock start and length must be >= 0");
  }
  if (lock.length > 0 && lock.start > std::numeric_limits<int64_t>::max() - (lock.length - 1)) {
    return Status::InvalidArgument("lock range overflows: start " + std::to_string(lock.start) +
                                   ", length " + std::to_string(lock.length));
  }
  HeldLock held;
  held.mount_id = lock.mount_id;
  held.owner = lock.owner;
  held.kind = WireEnumValue(lock.kind);  // checked below by ValidateLockRequest
  held.type = WireEnumValue(lock.type);
  held.start = lock.start;
  held.end = lock.length == 0 ? kLockToEof : lock.start + (lock.length - 1);
  held.pid = lock.pid;
  RETURN_IF_ERROR(ValidateLockRequest(held));
  return held;
}

rpc::FileLock WireLockOf(int64_t inode, const HeldLock& held) {
  rpc::FileLock lock;
  lock.inode = inode;
  lock.mount_id = held.mount_id;
  lock.owner = held.owner;
  lock.kind = static_cast<rpc::LockKind::type>(held.kind);
  lock.type = static_cast<rpc::LockType::type>(held.type);
  lock.start = held.start;
  lock.length = held.end == kLockToEof ? 0 : held.end - held.start + 1;
  lock.pid = held.pid;
  return lock;
}

}  // namespace

void MasterServiceHandler::setLock(rpc::SetLockReply& reply, const rpc::RequestContext& ctx,
                                   const rpc::FileLock& lock) {
  ThrowIfError(ValidateContext(ctx));
  Result<HeldLock> held = HeldLockOf(lock);
  ThrowIfError(held.status());
  mounts_.Touch(held->mount_id);
  MetaCommand wrapped;
  wrapped.__set_set_lock(SetLockCommandOf(lock.inode, *held));
  Result<ApplyResult> applied = Mutate(ctx, std::move(wrapped));
  LOG_REQ(kDebug, "master", ctx.request_id)
      << "inode " << lock.inode << ": " << DescribeLock(*held) << " -> "
      << applied.status().ToString();
  ThrowIfError(applied.status());
  if (applied->attr) reply.__set_attr(*applied->attr);
}

void MasterServiceHandler::getLock(rpc::FileLock& reply, const rpc::RequestContext& ctx,
                                   const rpc::FileLock& lock) {
  ThrowIfError(ValidateContext(ctx));
  Result<HeldLock> held = HeldLockOf(lock);
  ThrowIfError(held.status());
  if (held->type == rpc::LockType::UNLOCK) {
    ThrowIfError(Status::InvalidArgument("F_GETLK asks about a read or write lock"));
  }
  ThrowIfError(log_->ReadBarrier());
  Result<std::vector<HeldLock>> locks = ListLocks(*state_->CurrentStore(), lock.inode);
  ThrowIfError(locks.status());
  std::optional<HeldLock> conflict = FindConflict(*locks, *held);
  if (!conflict) {
    reply = lock;
    reply.type = rpc::LockType::UNLOCK;
    return;
  }
  // A pid means something only on the host of the mount that holds the lock.
  if (conflict->mount_id != held->mount_id) conflict->pid = 0;
  reply = WireLockOf(lock.inode, *conflict);
}

void MasterServiceHandler::mountHeartbeat(rpc::MountHeartbeatReply& reply,
                                          const rpc::RequestContext& ctx, int64_t mount_id) {
  ThrowIfError(ValidateContext(ctx));
  if (mount_id <= 0) ThrowIfError(Status::InvalidArgument("mount id must be > 0"));
  // Only the leader keeps liveness; a follower must send the mount on (NOT_LEADER).
  ThrowIfError(log_->ReadBarrier());
  mounts_.Touch(mount_id);
  Result<bool> expired = IsMountExpired(*state_->CurrentStore(), mount_id);
  ThrowIfError(expired.status());
  reply.expired = *expired;
}

}  // namespace tessera::master
