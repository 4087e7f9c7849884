// Names and attributes: lookup, forget, getattr, setattr, mkdir, unlink, rmdir, rename, statfs.
#include <sys/statvfs.h>

#include <algorithm>
#include <cstdio>  // RENAME_NOREPLACE, RENAME_EXCHANGE
#include <cstring>
#include <string>

#include "common/logging.h"
#include "common/names.h"
#include "fuse/attr_conversion.h"
#include "fuse/file_handle.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"
#include "fuse/request_caller.h"
#include "fuse/setattr_request.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {
namespace {

// The master keeps no inode limit; df -i shows this many free so that programs checking for
// free inodes before writing never refuse.
constexpr fsfilcnt_t kReportedFreeInodes = fsfilcnt_t{1} << 32;

client::FileSystem& FsOf(fuse_req_t req) { return TesseraFuse::FromRequest(req).fs(); }

}  // namespace

void LookupOp(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Result<rpc::Attr> attr = FsOf(req).Lookup(CallerFromRequest(req), InodeFromFuse(parent), name);
  if (!attr.ok()) return ReplyError(req, attr.status(), "lookup", InodeFromFuse(parent));
  ReplyEntry(req, *attr);
}

// Inode numbers are the master's, so there is no lookup count to drop.
void ForgetOp(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) { fuse_reply_none(req); }

void ForgetMultiOp(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  fuse_reply_none(req);
}

void GetattrOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Result<rpc::Attr> attr = FsOf(req).GetAttr(CallerFromRequest(req), InodeFromFuse(ino));
  if (!attr.ok()) return ReplyError(req, attr.status(), "getattr", InodeFromFuse(ino));
  ReplyAttr(req, *attr);
}

void SetattrOp(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  const int64_t inode = InodeFromFuse(ino);
  const client::Caller caller = CallerFromRequest(req);
  rpc::SetAttrRequest request = SetAttrRequestFromFuse(*attr, to_set);
  if (IsEmptySetAttrRequest(request)) {
    // Only bits Tessera does not store (ctime, kill-suid): answer with the current attributes.
    Result<rpc::Attr> current = FsOf(req).GetAttr(caller, inode);
    if (!current.ok()) return ReplyError(req, current.status(), "setattr", inode);
    return ReplyAttr(req, *current);
  }
  if (request.__isset.size && fi != nullptr) {
    // ftruncate on an open file: data this handle still buffers must land before the size
    // changes, or a later background write would extend the file again past the new end.
    FileHandle& handle = FileHandleOf(fi);
    if (handle.writable) {
      Status flushed = handle.file->Flush();
      if (!flushed.ok()) return ReplyError(req, flushed, "setattr(flush before truncate)", inode);
      // POSIX judges ftruncate by the descriptor's open mode, not the file's mode now (open
      // with O_CREAT and mode 0444, then ftruncate, must work): the master skips its check.
      request.through_writable_handle = true;
    }
  }
  Result<rpc::Attr> updated = FsOf(req).SetAttr(caller, inode, request);
  if (!updated.ok()) return ReplyError(req, updated.status(), "setattr", inode);
  LOG(kDebug, "fuse") << "setattr inode " << inode << " fields 0x" << std::hex << to_set;
  ReplyAttr(req, *updated);
}

void MkdirOp(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Result<rpc::Attr> attr =
      FsOf(req).Mkdir(CallerFromRequest(req), InodeFromFuse(parent), name, mode & 07777);
  if (!attr.ok()) return ReplyError(req, attr.status(), "mkdir", InodeFromFuse(parent));
  LOG(kDebug, "fuse") << "mkdir '" << name << "' in inode " << parent << " -> inode "
                      << attr->inode;
  ReplyEntry(req, *attr);
}

void UnlinkOp(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Status status = FsOf(req).Unlink(CallerFromRequest(req), InodeFromFuse(parent), name);
  if (!status.ok()) return ReplyError(req, status, "unlink", InodeFromFuse(parent));
  LOG(kDebug, "fuse") << "unlink '" << name << "' in inode " << parent;
  fuse_reply_err(req, 0);
}

void RmdirOp(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Status status = FsOf(req).Rmdir(CallerFromRequest(req), InodeFromFuse(parent), name);
  if (!status.ok()) return ReplyError(req, status, "rmdir", InodeFromFuse(parent));
  LOG(kDebug, "fuse") << "rmdir '" << name << "' in inode " << parent;
  fuse_reply_err(req, 0);
}

void RenameOp(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent,
              const char* new_name, unsigned int flags) {
  // The kernel's renameat2 flags travel unchanged: Tessera's wire values are Linux's. Unknown
  // ones (RENAME_WHITEOUT) are EINVAL, never ENOSYS, which would turn rename flags off for good.
  static_assert(kRenameNoReplace == RENAME_NOREPLACE && kRenameExchange == RENAME_EXCHANGE);
  Status status = FsOf(req).Rename(CallerFromRequest(req), InodeFromFuse(parent), name,
                                   InodeFromFuse(new_parent), new_name, flags);
  if (!status.ok()) return ReplyError(req, status, "rename", InodeFromFuse(parent));
  LOG(kDebug, "fuse") << "rename '" << name << "' in inode " << parent << " to '" << new_name
                      << "' in inode " << new_parent << " flags " << flags;
  fuse_reply_err(req, 0);
}

void StatfsOp(fuse_req_t req, fuse_ino_t ino) {
  Result<rpc::StatfsReply> reply = FsOf(req).Statfs(CallerFromRequest(req));
  if (!reply.ok()) return ReplyError(req, reply.status(), "statfs", InodeFromFuse(ino));
  struct statvfs st;
  std::memset(&st, 0, sizeof(st));
  const auto block = static_cast<uint64_t>(kPreferredIoBytes);
  st.f_bsize = block;
  st.f_frsize = block;
  st.f_blocks = static_cast<fsblkcnt_t>(std::max<int64_t>(reply->total_bytes, 0) / block);
  st.f_bfree = static_cast<fsblkcnt_t>(std::max<int64_t>(reply->free_bytes, 0) / block);
  st.f_bavail = st.f_bfree;
  st.f_files =
      static_cast<fsfilcnt_t>(std::max<int64_t>(reply->inodes_used, 0)) + kReportedFreeInodes;
  st.f_ffree = kReportedFreeInodes;
  st.f_favail = kReportedFreeInodes;
  st.f_namemax = kMaxNameBytes;
  fuse_reply_statfs(req, &st);
}

}  // namespace tessera::fuse
