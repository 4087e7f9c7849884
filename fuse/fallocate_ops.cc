// fallocate(2). Tessera stores no preallocation: chunk servers create chunk files on first
// write and space is taken as data arrives. So mode 0 only makes the file at least
// offset + length long (its new bytes read as zeros, as holes do), and FALLOC_FL_KEEP_SIZE
// changes nothing once the range is checked. Every other mode (PUNCH_HOLE, ZERO_RANGE,
// COLLAPSE_RANGE, INSERT_RANGE, UNSHARE_RANGE) is EOPNOTSUPP, which programs such as cp and
// SQLite treat as "not available here" and work around.
#include <fcntl.h>
#include <linux/falloc.h>

#include <string>

#include "common/logging.h"
#include "common/names.h"
#include "fuse/file_handle.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"

namespace tessera::fuse {

void FallocateOp(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                 fuse_file_info* fi) {
  FileHandle& handle = FileHandleOf(fi);
  if ((mode & ~FALLOC_FL_KEEP_SIZE) != 0) {
    LOG(kDebug, "fuse") << "fallocate mode 0x" << std::hex << mode << std::dec << " on inode "
                        << handle.inode << " refused: not supported";
    return ReplyError(req, Status::NotSupported("fallocate mode " + std::to_string(mode)),
                      "fallocate", handle.inode);
  }
  if (offset < 0 || length <= 0) {
    return ReplyError(req,
                      Status::InvalidArgument("fallocate range " + std::to_string(offset) + "+" +
                                              std::to_string(length) + " is out of range"),
                      "fallocate", handle.inode);
  }
  if (length > kMaxFileSize || offset > kMaxFileSize - length) {
    return ReplyError(req,
                      Status::FileTooLarge("fallocate range " + std::to_string(offset) + "+" +
                                           std::to_string(length) + " passes the largest file size"),
                      "fallocate", handle.inode);
  }
  if (!handle.writable) {
    return ReplyError(req, Status::PermissionDenied("file handle is read-only"), "fallocate",
                      handle.inode);
  }
  if ((mode & FALLOC_FL_KEEP_SIZE) == 0) {
    Status allocated = handle.file->Allocate(offset + length);
    if (!allocated.ok()) return ReplyError(req, allocated, "fallocate", handle.inode);
  }
  LOG(kDebug, "fuse") << "fallocate inode " << handle.inode << " mode " << mode << " "
                      << offset << "+" << length;
  fuse_reply_err(req, 0);
}

}  // namespace tessera::fuse
