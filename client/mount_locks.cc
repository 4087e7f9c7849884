#include "client/mount_locks.h"

#include "common/logging.h"
#include "common/names.h"

namespace tessera::client {
namespace {

// The master expires a mount silent for --mount-timeout-ms (10 s by default, 2 s at least).
constexpr int64_t kHeartbeatIntervalMs = 1000;

Status ValidateLockRequest(const LockRequest& request) {
  if (request.inode < kRootInode) {
    return Status::InvalidArgument("invalid inode " + std::to_string(request.inode));
  }
  if (request.start < 0 || request.length < 0) {
    return Status::InvalidArgument("lock start and length must be >= 0");
  }
  if (request.kind != rpc::LockKind::POSIX && request.kind != rpc::LockKind::FLOCK) {
    return Status::InvalidArgument("unknown lock kind");
  }
  if (request.type != rpc::LockType::READ && request.type != rpc::LockType::WRITE &&
      request.type != rpc::LockType::UNLOCK) {
    return Status::InvalidArgument("unknown lock type");
  }
  return Status::Ok();
}

}  // namespace

MountLocks::MountLocks(int64_t mount_id, MasterConnection& master, InodeRegistry& inodes,
                       ChunkLocationCache& locations)
    : mount_id_(mount_id),
      master_(master),
      inodes_(inodes),
      locations_(locations),
      heartbeat_(master, mount_id, kHeartbeatIntervalMs) {}

rpc::FileLock MountLocks::WireLock(const LockRequest& request) const {
  rpc::FileLock lock;
  lock.inode = request.inode;
  lock.mount_id = mount_id_;
  lock.owner = static_cast<int64_t>(request.owner);  // the same 64 bits on the wire
  lock.kind = request.kind;
  lock.type = request.type;
  lock.start = request.kind == rpc::LockKind::FLOCK ? 0 : request.start;
  lock.length = request.kind == rpc::LockKind::FLOCK ? 0 : request.length;
  lock.pid = request.pid;
  return lock;
}

Status MountLocks::CommitWrites(int64_t inode) {
  std::shared_ptr<InodeState> state = inodes_.Find(inode);
  return state ? state->FlushAllWriters() : Status::Ok();
}

void MountLocks::DropCachedData(int64_t inode, const rpc::Attr& attr) {
  if (std::shared_ptr<InodeState> state = inodes_.Find(inode)) state->NoteRemoteChange(attr.size);
  // Another client may have written chunks (new ones, new versions) since this mount looked.
  locations_.EraseInode(inode);
}

Result<rpc::Attr> MountLocks::Set(const Caller& caller, const LockRequest& request) {
  RETURN_IF_ERROR(ValidateLockRequest(request));
  const bool acquire = request.type != rpc::LockType::UNLOCK;
  if (request.type != rpc::LockType::WRITE) RETURN_IF_ERROR(CommitWrites(request.inode));
  if (acquire) heartbeat_.Start();
  // maybe_held_ must never miss a held lock, or close would not release it: an acquire is
  // noted before it is sent (its answer may be lost), a release of everything is forgotten
  // before it is sent and noted again when it fails.
  const HeldKey key{request.inode, request.owner, request.kind};
  const bool releases_all = !acquire && (request.kind == rpc::LockKind::FLOCK ||
                                         (request.start == 0 && request.length == 0));
  {
    std::lock_guard lock(mu_);
    if (acquire) maybe_held_.insert(key);
    if (releases_all) maybe_held_.erase(key);
  }
  Result<rpc::SetLockReply> reply = master_.SetLock(caller, WireLock(request));
  if (!reply.ok()) {
    if (releases_all) {
      std::lock_guard lock(mu_);
      maybe_held_.insert(key);
    }
    return reply.status();
  }
  if (!acquire) return rpc::Attr();
  if (!reply->__isset.attr) {
    return Status::Internal("the master granted a lock without attributes");
  }
  DropCachedData(request.inode, reply->attr);
  return reply->attr;
}

Result<rpc::FileLock> MountLocks::Get(const Caller& caller, const LockRequest& request) {
  RETURN_IF_ERROR(ValidateLockRequest(request));
  if (request.type == rpc::LockType::UNLOCK) {
    return Status::InvalidArgument("F_GETLK asks about a read or write lock");
  }
  return master_.GetLock(caller, WireLock(request));
}

Status MountLocks::Release(const Caller& caller, int64_t inode, uint64_t owner,
                           rpc::LockKind::type kind) {
  const HeldKey key{inode, owner, kind};
  {
    std::lock_guard lock(mu_);
    if (maybe_held_.erase(key) == 0) return Status::Ok();
  }
  Status committed = CommitWrites(inode);
  if (!committed.ok()) {
    // The lock goes anyway: keeping it after the close would block every other owner forever.
    LOG(kWarning, "client") << "inode " << inode << ": writes not committed before its locks were "
                            << "released at close: " << committed.ToString();
  }
  LockRequest unlock;
  unlock.inode = inode;
  unlock.owner = owner;
  unlock.kind = kind;
  unlock.type = rpc::LockType::UNLOCK;
  Result<rpc::SetLockReply> reply = master_.SetLock(caller, WireLock(unlock));
  if (!reply.ok()) {
    std::lock_guard lock(mu_);
    maybe_held_.insert(key);
    return reply.status();
  }
  return committed;
}

}  // namespace tessera::client
