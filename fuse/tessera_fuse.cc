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

// The handler kHandler timed and counted as kOp (fuse_op_metrics.h).
template <FuseOp kOp, auto kHandler>
struct TimedOp;

template <FuseOp kOp, typename... Args, void (*kHandler)(fuse_req_t, Args...)>
struct TimedOp<kOp, kHandler> {
  static void Run(fuse_req_t req, Args... args) {
    // Read before the handler: its reply frees req.
    FuseOpMetrics* metrics = TesseraFuse::FromRequest(req).op_metrics();
    if (metrics == nullptr) {
      kHandler(req, args...);
      return;
    }
    const int64_t start_ns = metrics->NowNanos();
    kHandler(req, args...);
    metrics->Record(kOp, start_ns);
  }
};

template <FuseOp kOp, auto kHandler>
constexpr auto Timed = &TimedOp<kOp, kHandler>::Run;

fuse_lowlevel_ops MakeOperations() {
  fuse_lowlevel_ops ops{};
  ops.init = InitOp;
  ops.destroy = DestroyOp;
  ops.lookup = Timed<FuseOp::kLookup, LookupOp>;
  ops.forget = Timed<FuseOp::kForget, ForgetOp>;
  ops.forget_multi = Timed<FuseOp::kForgetMulti, ForgetMultiOp>;
  ops.getattr = Timed<FuseOp::kGetattr, GetattrOp>;
  ops.setattr = Timed<FuseOp::kSetattr, SetattrOp>;
  ops.mkdir = Timed<FuseOp::kMkdir, MkdirOp>;
  ops.unlink = Timed<FuseOp::kUnlink, UnlinkOp>;
  ops.rmdir = Timed<FuseOp::kRmdir, RmdirOp>;
  ops.rename = Timed<FuseOp::kRename, RenameOp>;
  ops.statfs = Timed<FuseOp::kStatfs, StatfsOp>;
  ops.create = Timed<FuseOp::kCreate, CreateOp>;
  ops.open = Timed<FuseOp::kOpen, OpenOp>;
  ops.read = Timed<FuseOp::kRead, ReadOp>;
  ops.write = Timed<FuseOp::kWrite, WriteOp>;
  ops.flush = Timed<FuseOp::kFlush, FlushOp>;
  ops.release = Timed<FuseOp::kRelease, ReleaseOp>;
  ops.fsync = Timed<FuseOp::kFsync, FsyncOp>;
  ops.opendir = Timed<FuseOp::kOpendir, OpendirOp>;
  ops.readdir = Timed<FuseOp::kReaddir, ReaddirOp>;
  ops.readdirplus = Timed<FuseOp::kReaddirplus, ReaddirplusOp>;
  ops.releasedir = Timed<FuseOp::kReleasedir, ReleasedirOp>;
  ops.fsyncdir = Timed<FuseOp::kFsyncdir, FsyncdirOp>;
  ops.link = Timed<FuseOp::kLink, LinkOp>;
  ops.symlink = Timed<FuseOp::kSymlink, SymlinkOp>;
  ops.readlink = Timed<FuseOp::kReadlink, ReadlinkOp>;
  ops.mknod = Timed<FuseOp::kMknod, MknodOp>;
  ops.access = Timed<FuseOp::kAccess, AccessOp>;
  ops.setxattr = Timed<FuseOp::kSetxattr, SetxattrOp>;
  ops.getxattr = Timed<FuseOp::kGetxattr, GetxattrOp>;
  ops.listxattr = Timed<FuseOp::kListxattr, ListxattrOp>;
  ops.removexattr = Timed<FuseOp::kRemovexattr, RemovexattrOp>;
  ops.fallocate = Timed<FuseOp::kFallocate, FallocateOp>;
  ops.getlk = Timed<FuseOp::kGetlk, GetlkOp>;
  ops.setlk = Timed<FuseOp::kSetlk, SetlkOp>;
  ops.flock = Timed<FuseOp::kFlock, FlockOp>;
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
