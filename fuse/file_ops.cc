// Regular-file data: create, open, read, write, flush, release, fsync.
//
// Close-to-open consistency (DESIGN.md) rests on flush: the kernel sends it at every close(),
// and OpenFile::Flush returns only when every replica holds the data and the size is committed.
#include <fcntl.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "common/logging.h"
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

// Stores an opened file as the handle FUSE keeps in fi->fh. The kernel's page cache is dropped
// at each open (keep_cache = 0) so that a reader sees what other clients closed since.
void StoreHandle(fuse_req_t req, int64_t inode, bool writable,
                 std::unique_ptr<client::OpenFile> file, fuse_file_info* fi) {
  auto handle = std::make_unique<FileHandle>();
  handle->inode = inode;
  handle->writable = writable;
  handle->file = std::move(file);
  fi->fh = TesseraFuse::FromRequest(req).files().Adopt(std::move(handle));
  fi->keep_cache = 0;
  // An O_APPEND write lands where the master says (OpenFile::Append), not at the kernel's idea
  // of the end, so its bytes must not go through the page cache at the kernel's offset.
  fi->direct_io = (fi->flags & O_APPEND) != 0 ? 1 : 0;
}

// Opens `inode` and stores the handle in fi->fh.
Status OpenIntoFileInfo(fuse_req_t req, client::FileSystem& fs, const client::Caller& caller,
                        int64_t inode, fuse_file_info* fi) {
  const bool writable = IsWritable(fi->flags);
  ASSIGN_OR_RETURN(std::unique_ptr<client::OpenFile> file, fs.Open(caller, inode, writable));
  StoreHandle(req, inode, writable, std::move(file), fi);
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
    Status allowed = fs.Access(caller, attr->inode, AccessMaskForOpen(fi->flags));
    if (!allowed.ok()) return ReplyError(req, allowed, "create(open existing)", attr->inode);
  }
  const bool writable = IsWritable(fi->flags);
  Result<std::unique_ptr<client::OpenFile>> file = fs.OpenWithFreshAttr(caller, *attr, writable);
  if (!file.ok()) return ReplyError(req, file.status(), "create(open)", attr->inode);
  StoreHandle(req, attr->inode, writable, std::move(*file), fi);
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
  // The kernel checks no permission bits at open (no default_permissions): the master does.
  Status allowed = fs.Access(caller, inode, AccessMaskForOpen(fi->flags));
  if (!allowed.ok()) return ReplyOpenError(req, allowed, "open", inode);
  if ((fi->flags & O_TRUNC) != 0 && IsWritable(fi->flags)) {
    rpc::SetAttrRequest truncate;
    truncate.__set_size(0);
    Result<rpc::Attr> truncated = fs.SetAttr(caller, inode, truncate);
    if (!truncated.ok()) return ReplyError(req, truncated.status(), "open(truncate)", inode);
  }
  Status opened = OpenIntoFileInfo(req, fs, caller, inode, fi);
  if (!opened.ok()) return ReplyOpenError(req, opened, "open", inode);
  if (fuse_reply_open(req, fi) != 0) TesseraFuse::FromRequest(req).files().Take(fi->fh);
}

void ReadOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi) {
  FileHandle& handle = FileHandleOf(fi);
  auto buffer = std::make_unique_for_overwrite<std::byte[]>(size);
  Result<size_t> read = handle.file->Read(offset, std::span<std::byte>(buffer.get(), size));
  if (!read.ok()) return ReplyError(req, read.status(), "read", handle.inode);
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
  // fi->flags are the descriptor's flags at this write (fcntl F_SETFL may have changed them).
  if ((fi->flags & O_APPEND) != 0) {
    // The kernel's offset is its cached end, stale when another client appended: the master
    // decides where each append goes.
    Result<int64_t> appended = handle.file->Append(data);
    if (!appended.ok()) return ReplyError(req, appended.status(), "write(append)", handle.inode);
    LOG(kDebug, "fuse") << "append of " << size << " bytes to inode " << handle.inode << " at "
                        << *appended;
    fuse_reply_write(req, size);
    return;
  }
  Status written = handle.file->Write(offset, data);
  if (!written.ok()) return ReplyError(req, written, "write", handle.inode);
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
