#include "fuse/tessera_fuse.h"

#include <cerrno>

#include "common/logging.h"
#include "fuse/fuse_ops.h"

namespace tessera::fuse {
namespace {

// The kernel's largest write request: matches the client's write pieces (1-4 MiB) and
// DESIGN.md. libfuse raises max_pages to fit.
constexpr unsigned kMaxWriteBytes = 1u << 20;

void InitOp(void* userdata, fuse_conn_info* conn) {
  conn->max_write = kMaxWriteBytes;
  // Several reads of one file in flight at once, so readahead overlaps the network.
  if (conn->capable & FUSE_CAP_ASYNC_READ) conn->want |= FUSE_CAP_ASYNC_READ;
  // Splice would save a copy but the client library takes plain buffers.
  conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
  // The master drops setuid/setgid on write, truncate and chown. Without this the kernel sends
  // a chmod of its own on a non-owner's write, which the master rightly refuses (EPERM).
  if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV) conn->want |= FUSE_CAP_HANDLE_KILLPRIV;
  // fcntl and flock locks go to the master (lock_ops.cc) instead of staying in this kernel,
  // so that they hold across mounts.
  if (conn->capable & FUSE_CAP_POSIX_LOCKS) conn->want |= FUSE_CAP_POSIX_LOCKS;
  if (conn->capable & FUSE_CAP_FLOCK_LOCKS) conn->want |= FUSE_CAP_FLOCK_LOCKS;
  LOG(kInfo, "fuse") << "file locks kept by the master: posix "
                     << ((conn->want & FUSE_CAP_POSIX_LOCKS) != 0 ? "yes" : "no") << ", flock "
                     << ((conn->want & FUSE_CAP_FLOCK_LOCKS) != 0 ? "yes" : "no");
  LOG(kInfo, "fuse") << "kernel FUSE protocol " << conn->proto_major << "." << conn->proto_minor
                     << ", max_write " << conn->max_write << ", async read "
                     << ((conn->want & FUSE_CAP_ASYNC_READ) != 0 ? "on" : "off")
                     << ", setuid kept by the master "
                     << ((conn->want & FUSE_CAP_HANDLE_KILLPRIV) != 0 ? "yes" : "no");
}

void DestroyOp(void* userdata) {
  auto* tessera = static_cast<TesseraFuse*>(userdata);
  LOG(kInfo, "fuse") << "kernel closed the session; " << tessera->counters().Summary();
  // Waiting lock requests are answered while the session still exists.
  tessera->blocked_locks().Shutdown();
  tessera->CloseLeftoverHandles();
}

fuse_lowlevel_ops MakeOperations() {
  fuse_lowlevel_ops ops{};
  ops.init = InitOp;
  ops.destroy = DestroyOp;
  ops.lookup = LookupOp;
  ops.forget = ForgetOp;
  ops.forget_multi = ForgetMultiOp;
  ops.getattr = GetattrOp;
  ops.setattr = SetattrOp;
  ops.mkdir = MkdirOp;
  ops.unlink = UnlinkOp;
  ops.rmdir = RmdirOp;
  ops.rename = RenameOp;
  ops.statfs = StatfsOp;
  ops.create = CreateOp;
  ops.open = OpenOp;
  ops.read = ReadOp;
  ops.write = WriteOp;
  ops.flush = FlushOp;
  ops.release = ReleaseOp;
  ops.fsync = FsyncOp;
  ops.opendir = OpendirOp;
  ops.readdir = ReaddirOp;
  ops.readdirplus = ReaddirplusOp;
  ops.releasedir = ReleasedirOp;
  ops.fsyncdir = FsyncdirOp;
  ops.link = LinkOp;
  ops.symlink = SymlinkOp;
  ops.readlink = ReadlinkOp;
  ops.mknod = MknodOp;
  ops.access = AccessOp;
  ops.setxattr = SetxattrOp;
  ops.getxattr = GetxattrOp;
  ops.listxattr = ListxattrOp;
  ops.removexattr = RemovexattrOp;
  ops.fallocate = FallocateOp;
  ops.getlk = GetlkOp;
  ops.setlk = SetlkOp;
  ops.flock = FlockOp;
  return ops;
}

}  // namespace

const fuse_lowlevel_ops& TesseraFuse::Operations() {
  static const fuse_lowlevel_ops kOperations = MakeOperations();
  return kOperations;
}

bool TesseraFuse::InvalidateKernelAttributes(int64_t inode) {
  if (session_ == nullptr) return false;
  // Offset -1: attributes only. Page invalidation from a handler of the same inode could wait
  // on pages the kernel holds for this very request; attributes take no such lock.
  const int result =
      fuse_lowlevel_notify_inval_inode(session_, static_cast<fuse_ino_t>(inode), -1, 0);
  if (result != 0 && result != -ENOENT) {
    LOG(kWarning, "fuse") << "kernel refused to drop the cached attributes of inode " << inode
                          << ": error " << -result;
    return false;
  }
  return result == 0;
}

void TesseraFuse::CloseLeftoverHandles() {
  std::vector<std::unique_ptr<FileHandle>> files = files_.TakeAll();
  for (const std::unique_ptr<FileHandle>& handle : files) {
    if (!handle->writable) continue;
    Status flushed = handle->file->Flush();
    if (!flushed.ok()) {
      LOG(kWarning, "fuse") << "session ended before the release of inode " << handle->inode
                            << "; its final flush failed, data may be lost: "
                            << flushed.ToString();
    }
  }
  size_t dirs = dirs_.TakeAll().size();
  if (!files.empty() || dirs > 0) {
    LOG(kInfo, "fuse") << "freed " << files.size() << " file and " << dirs
                       << " directory handle(s) left open by the kernel";
  }
}

}  // namespace tessera::fuse
