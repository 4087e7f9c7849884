// File locks: getlk, setlk (F_SETLK, F_SETLKW) and flock, kept by the master for every mount
// (client/mount_locks.h). Locks of one mount and of others conflict alike, so processes on two
// hosts can share a SQLite database.
//
// Blocking requests wait without holding a worker thread (blocked_locks.h) and answer EINTR when
// the process is interrupted. After a lock is granted the kernel's page cache and attributes of the
// inode are dropped before the reply, so the locker's next read and fstat see what the previous
// holder wrote on another mount (its writes were committed before its unlock left it).
// Releasing at close: POSIX locks of the closing process in flush (file_ops.cc), flock locks of
// the open file description in release (fi->flock_release).
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"
#include "fuse/blocked_locks.h"
#include "fuse/request_caller.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {
namespace {

Result<rpc::LockType::type> LockTypeOf(short fcntl_type) {
  switch (fcntl_type) {
    case F_RDLCK:
      return rpc::LockType::READ;
    case F_WRLCK:
      return rpc::LockType::WRITE;
    case F_UNLCK:
      return rpc::LockType::UNLOCK;
    default:
      return Status::InvalidArgument("unknown lock type " + std::to_string(fcntl_type));
  }
}

Result<client::LockRequest> PosixRequest(fuse_ino_t ino, const fuse_file_info* fi,
                                         const struct flock* lock) {
  client::LockRequest request;
  request.inode = InodeFromFuse(ino);
  request.owner = fi->lock_owner;
  request.kind = rpc::LockKind::POSIX;
  ASSIGN_OR_RETURN(request.type, LockTypeOf(lock->l_type));
  // libfuse hands over absolute ranges (SEEK_SET) with l_len 0 meaning to the end of the file.
  request.start = lock->l_start;
  request.length = lock->l_len;
  request.pid = lock->l_pid;
  return request;
}

// Sets the lock; a blocking request that meets a conflict is handed to the mount's
// BlockedLocks, which answers it later. Replies to `req` otherwise.
void SetLockAndReply(fuse_req_t req, fuse_ino_t ino, const client::LockRequest& request,
                     bool wait, const char* op) {
  TesseraFuse& mount = TesseraFuse::FromRequest(req);
  client::Caller caller = CallerFromRequest(req);
  Status outcome = mount.fs().SetLock(caller, request).status();
  if (outcome.code() == StatusCode::kWouldBlock && wait) {
    return mount.blocked_locks().Wait(req, ino, std::move(caller), request, op);
  }
  if (!outcome.ok()) return ReplyError(req, outcome, op, request.inode);
  if (request.type != rpc::LockType::UNLOCK) DropKernelCacheAfterGrant(req, ino);
  fuse_reply_err(req, 0);
}

}  // namespace

void GetlkOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  Result<client::LockRequest> request = PosixRequest(ino, fi, lock);
  if (!request.ok()) return ReplyError(req, request.status(), "getlk", InodeFromFuse(ino));
  Result<rpc::FileLock> found =
      TesseraFuse::FromRequest(req).fs().GetLock(CallerFromRequest(req), *request);
  if (!found.ok()) return ReplyError(req, found.status(), "getlk", request->inode);
  struct flock answer;
  std::memset(&answer, 0, sizeof(answer));
  answer.l_whence = SEEK_SET;
  if (found->type == rpc::LockType::UNLOCK) {
    answer = *lock;
    answer.l_type = F_UNLCK;
  } else {
    answer.l_type = found->type == rpc::LockType::WRITE ? F_WRLCK : F_RDLCK;
    answer.l_start = found->start;
    answer.l_len = found->length;
    answer.l_pid = found->pid;
  }
  fuse_reply_lock(req, &answer);
}

void SetlkOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  Result<client::LockRequest> request = PosixRequest(ino, fi, lock);
  if (!request.ok()) return ReplyError(req, request.status(), "setlk", InodeFromFuse(ino));
  SetLockAndReply(req, ino, *request, sleep != 0, sleep != 0 ? "setlkw" : "setlk");
}

void FlockOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  client::LockRequest request;
  request.inode = InodeFromFuse(ino);
  request.owner = fi->lock_owner;
  request.kind = rpc::LockKind::FLOCK;
  switch (op & ~LOCK_NB) {
    case LOCK_SH:
      request.type = rpc::LockType::READ;
      break;
    case LOCK_EX:
      request.type = rpc::LockType::WRITE;
      break;
    case LOCK_UN:
      request.type = rpc::LockType::UNLOCK;
      break;
    default:
      return ReplyError(req, Status::InvalidArgument("unknown flock operation"), "flock",
                        request.inode);
  }
  // EWOULDBLOCK is EAGAIN on Linux: kWouldBlock maps to it.
  SetLockAndReply(req, ino, request, (op & LOCK_NB) == 0, "flock");
}

}  // namespace tessera::fuse
