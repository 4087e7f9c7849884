// Regular-file data: create, open, read, write, flush, release, fsync.
//
// Close-to-open consistency (DESIGN.md) rests on flush: the kernel sends it at every close(),
// and OpenFile::Flush returns only when every replica holds the data and the size is committed.
// Its other half is open: every open asks the master for the file's attributes, and the kernel
// keeps the pages it cached only when they are of that very version (page_cache_versions.h);
// otherwise it drops them and the attributes it caches, so the next read sees the new data
// and size at once rather than after the attribute timeout.
#include <fcntl.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "fuse/atime_rule.h"
#include "fuse/file_handle.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"
#include "fuse/open_access.h"
#include "fuse/request_caller.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {
namespace {

client::FileSystem& FsOf(fuse_req_t req) { return TesseraFuse::FromRequest(req).fs(); }

bool IsWritable(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }

// Stores an opened file as the handle FUSE keeps in fi->fh and returns it (owned by the
// registry until release).
FileHandle& StoreHandle(fuse_req_t req, int64_t inode, bool writable,
                        std::unique_ptr<client::OpenFile> file, fuse_file_info* fi) {
  auto handle = std::make_unique<FileHandle>();
  FileHandle& stored = *handle;
  handle->inode = inode;
  handle->writable = writable;
  handle->file = std::move(file);
  fi->fh = TesseraFuse::FromRequest(req).files().Adopt(std::move(handle));
  // An O_APPEND write lands where the master says (OpenFile::Append), not at the kernel's idea
  // of the end, so its bytes must not go through the page cache at the kernel's offset. The
  // price: a MAP_SHARED mapping of an O_APPEND descriptor fails with ENODEV (the kernel maps
  // direct-I/O files shared only with FUSE_DIRECT_IO_ALLOW_MMAP, which libfuse 3.14 cannot ask
  // for); MAP_PRIVATE works, and descriptors opened without O_APPEND map as usual.
  fi->direct_io = (fi->flags & O_APPEND) != 0 ? 1 : 0;
  return stored;
}

// Close-to-open for cached pages: `fresh` are the attributes the master answered for this open.
// Pages of an unchanged file are kept; otherwise the kernel drops them (keep_cache = 0) and its
// cached attributes, whose size would otherwise cut reads short until the attribute timeout.
// A file this create just made is not in the kernel yet: there is nothing to invalidate.
bool DecidePageCache(TesseraFuse& tessera, const rpc::Attr& fresh, bool just_created,
                     fuse_file_info* fi) {
  const bool keep = tessera.page_cache_versions().KeepOnOpen(fresh.inode, fresh);
  fi->keep_cache = keep ? 1 : 0;
  if (keep) {
    tessera.counters().opens_cache_kept.fetch_add(1, std::memory_order_relaxed);
  } else {
    tessera.counters().opens_cache_dropped.fetch_add(1, std::memory_order_relaxed);
    if (!just_created) tessera.InvalidateKernelAttributes(fresh.inode);
  }
  LOG(kDebug, "fuse") << "open inode " << fresh.inode << ": page cache "
                      << (keep ? "kept (size, mtime and ctime unchanged)"
                               : "dropped (changed or not cached here)");
  return keep;
}

// Asks the master to move the file's atime and tells the kernel to drop the attributes it
// caches, so stat shows the new atime. A failure costs only the atime: logged, never an error
// of the read.
void SendAtimeUpdate(fuse_req_t req, const client::Caller& caller, int64_t inode) {
  TesseraFuse& tessera = TesseraFuse::FromRequest(req);
  Result<rpc::Attr> touched = tessera.fs().TouchAtime(caller, inode);
  if (!touched.ok()) {
    tessera.counters().atime_update_failures.fetch_add(1, std::memory_order_relaxed);
    LOG(kWarning, "fuse") << "atime update of inode " << inode
                          << " failed: " << touched.status().ToString();
    return;
  }
  tessera.counters().atime_updates.fetch_add(1, std::memory_order_relaxed);
  tessera.InvalidateKernelAttributes(inode);
  LOG(kDebug, "fuse") << "atime of inode " << inode << " moved to " << touched->atime_ns;
}

// The atime rule at open (atime_rule.h), at most one update per open. The update waits for the
// first read request, so an open that reads nothing moves nothing. When the kernel keeps the
// pages, though, reads may never reach this process: the open then counts as the read.
void ArmAtimeUpdate(fuse_req_t req, const client::Caller& caller, const rpc::Attr& fresh,
                    bool cache_kept, FileHandle& handle, const fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) == O_WRONLY) return;
  const AtimeMode mode = TesseraFuse::FromRequest(req).options().atime;
  if (!AtimeUpdateDue(mode, fresh, SystemClock().NowUnixNanos())) return;
  if (cache_kept) {
    SendAtimeUpdate(req, caller, fresh.inode);
  } else {
    handle.atime_due.store(true, std::memory_order_relaxed);
  }
}

// Opens the file of `fresh` (attributes just answered by the master) into fi->fh, with the
// page-cache and atime decisions of this open.
Status OpenIntoFileInfo(fuse_req_t req, const client::Caller& caller, const rpc::Attr& fresh,
                        bool just_created, fuse_file_info* fi) {
  TesseraFuse& tessera = TesseraFuse::FromRequest(req);
  const bool writable = IsWritable(fi->flags);
  ASSIGN_OR_RETURN(std::unique_ptr<client::OpenFile> file,
                   tessera.fs().OpenWithFreshAttr(caller, fresh, writable));
  FileHandle& handle = StoreHandle(req, fresh.inode, writable, std::move(file), fi);
  const bool cache_kept = DecidePageCache(tessera, fresh, just_created, fi);
  ArmAtimeUpdate(req, caller, fresh, cache_kept, handle, fi);
  return Status::Ok();
}

// An open whose inode is gone: the kernel reached it through a name it cached (entry timeout)
// that another mount has since removed, as SQLite's journal is by the other writer. ESTALE
// makes the kernel look the name up again and retry the open once (LOOKUP_REVAL), so the
// caller sees what a local file system shows: the name's current file, a new one for O_CREAT,
// or ENOENT. Any other error is answered as usual.
void ReplyOpenError(fuse_req_t req, const Status& status, const char* op, int64_t inode) {
  if (status.code() != StatusCode::kNotFound) return ReplyError(req, status, op, inode);
  LOG(kDebug, "fuse") << op << " inode " << inode << ": gone, answered ESTALE so the kernel "
                      << "looks its name up again: " << status.ToString();
  fuse_reply_err(req, ESTALE);
}

}  // namespace

void CreateOp(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
              fuse_file_info* fi) {
  client::FileSystem& fs = FsOf(req);
  const client::Caller caller = CallerFromRequest(req);
  const int64_t parent_inode = InodeFromFuse(parent);
  Result<rpc::Attr> attr = fs.Create(caller, parent_inode, name, mode & 07777);
  const bool opens_existing = !attr.ok() &&
                              attr.status().code() == StatusCode::kAlreadyExists &&
                              (fi->flags & O_EXCL) == 0;
  if (opens_existing) {
    // Another client created the name between the kernel's lookup and this create: without
    // O_EXCL, open(O_CREAT) must open the existing file.
    attr = fs.Lookup(caller, parent_inode, name);
    if (attr.ok() && attr->type != rpc::FileType::REGULAR) {
      attr =
          attr->type == rpc::FileType::DIRECTORY
              ? Result<rpc::Attr>(Status::IsDirectory(std::string("'") + name + "' is a directory"))
              : Result<rpc::Attr>(
                    Status::AlreadyExists(std::string("'") + name + "' exists and is not a file"));
    }
  }
  if (!attr.ok()) return ReplyError(req, attr.status(), "create", parent_inode);
  if (opens_existing) {
    Result<rpc::Attr> allowed = fs.Access(caller, attr->inode, AccessMaskForOpen(fi->flags));
    if (!allowed.ok()) {
      return ReplyError(req, allowed.status(), "create(open existing)", attr->inode);
    }
  }
  Status opened = OpenIntoFileInfo(req, caller, *attr, /*just_created=*/!opens_existing, fi);
  if (!opened.ok()) return ReplyError(req, opened, "create(open)", attr->inode);
  LOG(kDebug, "fuse") << "create '" << name << "' in inode " << parent << " -> inode "
                      << attr->inode;
  const fuse_entry_param entry = EntryParamFromAttr(req, *attr);
  if (fuse_reply_create(req, &entry, fi) != 0) {
    // The process was interrupted and will never see the handle: no release will come.
    TesseraFuse::FromRequest(req).files().Take(fi->fh);
  }
}

void OpenOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  client::FileSystem& fs = FsOf(req);
  const client::Caller caller = CallerFromRequest(req);
  const int64_t inode = InodeFromFuse(ino);
  // The kernel checked its cached attributes (default_permissions); the master checks the file
  // as it is now, so a permission just taken away on another mount holds at once. Its answer
  // carries the attributes of this open (close-to-open); after a truncate, the truncate's.
  Result<rpc::Attr> fresh = fs.Access(caller, inode, AccessMaskForOpen(fi->flags));
  if (!fresh.ok()) return ReplyOpenError(req, fresh.status(), "open", inode);
  if ((fi->flags & O_TRUNC) != 0 && IsWritable(fi->flags)) {
    rpc::SetAttrRequest truncate;
    truncate.__set_size(0);
    fresh = fs.SetAttr(caller, inode, truncate);
    if (!fresh.ok()) return ReplyError(req, fresh.status(), "open(truncate)", inode);
  }
  Status opened = OpenIntoFileInfo(req, caller, *fresh, /*just_created=*/false, fi);
  if (!opened.ok()) return ReplyOpenError(req, opened, "open", inode);
  if (fuse_reply_open(req, fi) != 0) TesseraFuse::FromRequest(req).files().Take(fi->fh);
}

void ReadOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi) {
  FileHandle& handle = FileHandleOf(fi);
  TesseraFuse::FromRequest(req).counters().read_requests.fetch_add(1, std::memory_order_relaxed);
  LOG(kDebug, "fuse") << "read inode " << handle.inode << " offset " << offset << " size " << size;
  if (handle.atime_due.exchange(false, std::memory_order_relaxed)) {
    SendAtimeUpdate(req, CallerFromRequest(req), handle.inode);
  }
  auto buffer = std::make_unique_for_overwrite<std::byte[]>(size);
  Result<size_t> read = handle.file->Read(offset, std::span<std::byte>(buffer.get(), size));
  MountCounters& counters = TesseraFuse::FromRequest(req).counters();
  if (!read.ok()) {
    counters.io_errors.fetch_add(1, std::memory_order_relaxed);
    return ReplyError(req, read.status(), "read", handle.inode);
  }
  counters.bytes_read.fetch_add(*read, std::memory_order_relaxed);
  fuse_reply_buf(req, reinterpret_cast<const char*>(buffer.get()), *read);
}

void WriteOp(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t offset,
             fuse_file_info* fi) {
  FileHandle& handle = FileHandleOf(fi);
  if (!handle.writable) {
    // The kernel does not send writes for read-only opens; guard anyway, because the OpenFile
    // behind this handle was opened read-only.
    return ReplyError(req, Status::PermissionDenied("file handle is read-only"), "write",
                      handle.inode);
  }
  const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(buf), size);
  MountCounters& counters = TesseraFuse::FromRequest(req).counters();
  counters.write_requests.fetch_add(1, std::memory_order_relaxed);
  // fi->flags are the descriptor's flags at this write (fcntl F_SETFL may have changed them).
  if ((fi->flags & O_APPEND) != 0) {
    // The kernel's offset is its cached end, stale when another client appended: the master
    // decides where each append goes.
    Result<int64_t> appended = handle.file->Append(data);
    if (!appended.ok()) {
      counters.io_errors.fetch_add(1, std::memory_order_relaxed);
      return ReplyError(req, appended.status(), "write(append)", handle.inode);
    }
    counters.bytes_written.fetch_add(size, std::memory_order_relaxed);
    LOG(kDebug, "fuse") << "append of " << size << " bytes to inode " << handle.inode << " at "
                        << *appended;
    fuse_reply_write(req, size);
    return;
  }
  Status written = handle.file->Write(offset, data);
  if (!written.ok()) {
    counters.io_errors.fetch_add(1, std::memory_order_relaxed);
    return ReplyError(req, written, "write", handle.inode);
  }
  counters.bytes_written.fetch_add(size, std::memory_order_relaxed);
  fuse_reply_write(req, size);
}

void FlushOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  FileHandle& handle = FileHandleOf(fi);
  if (handle.writable) {
    Status flushed = handle.file->Flush();
    if (!flushed.ok()) return ReplyError(req, flushed, "flush", handle.inode);
  }
  // close() drops the closing process's POSIX locks on the file (fi->lock_owner), after its
  // writes above are committed; the kernel keeps none itself (lock_ops.cc).
  Status released = FsOf(req).ReleaseLocks(CallerFromRequest(req), handle.inode, fi->lock_owner,
                                           rpc::LockKind::POSIX);
  if (!released.ok()) return ReplyError(req, released, "flush(unlock)", handle.inode);
  fuse_reply_err(req, 0);
}

void ReleaseOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  std::unique_ptr<FileHandle> handle = TesseraFuse::FromRequest(req).files().Take(fi->fh);
  if (handle == nullptr) {
    LOG(kError, "fuse") << "release of unknown handle for inode " << ino;
    fuse_reply_err(req, EBADF);
    return;
  }
  if (handle->writable) {
    // Writes can arrive after the last flush (mmap write-back, a dup'ed descriptor): push them
    // out before dropping the handle. The kernel ignores release errors, so log them.
    Status flushed = handle->file->Flush();
    if (!flushed.ok()) {
      LOG(kWarning, "fuse") << "release inode " << handle->inode
                            << ": final flush failed, data may be lost: " << flushed.ToString();
    }
  }
  if (fi->flock_release) {
    // The last close of an open file description drops its flock lock.
    Status released = FsOf(req).ReleaseLocks(CallerFromRequest(req), handle->inode,
                                             fi->lock_owner, rpc::LockKind::FLOCK);
    if (!released.ok()) {
      LOG(kWarning, "fuse") << "release inode " << handle->inode
                            << ": its flock lock was not released: " << released.ToString();
    }
  }
  fuse_reply_err(req, 0);
}

void FsyncOp(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  FileHandle& handle = FileHandleOf(fi);
  // Fsync on a read-only handle is still meaningful to programs (fsync after reopening), and
  // it is cheap when nothing is buffered, so it goes through for every handle.
  Status synced = handle.file->Fsync();
  if (!synced.ok()) return ReplyError(req, synced, "fsync", handle.inode);
  fuse_reply_err(req, 0);
}

}  // namespace tessera::fuse
