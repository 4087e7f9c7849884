// Extended attributes: setxattr, getxattr, listxattr, removexattr. The rules (namespaces, sizes,
// who may do what) are the master's (master/xattr_rules.h); this edge only turns the answers
// into what the kernel expects: a size of 0 asks for the size the value (or the list) needs, a
// buffer too small for it is ERANGE, and a list is the names each ended by a NUL.
#include <cerrno>
#include <string>
#include <vector>

#include "common/logging.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"
#include "fuse/request_caller.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {
namespace {

client::FileSystem& FsOf(fuse_req_t req) { return TesseraFuse::FromRequest(req).fs(); }

// Answers a getxattr or listxattr whose result is `bytes`, for a caller buffer of `size`.
void ReplyXattrBytes(fuse_req_t req, const std::string& bytes, size_t size) {
  if (size == 0) {
    fuse_reply_xattr(req, bytes.size());
  } else if (bytes.size() > size) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, bytes.data(), bytes.size());
  }
}

}  // namespace

void SetxattrOp(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                int flags) {
  const int64_t inode = InodeFromFuse(ino);
  Status set =
      FsOf(req).SetXattr(CallerFromRequest(req), inode, name, std::string_view(value, size), flags);
  if (!set.ok()) return ReplyError(req, set, "setxattr", inode);
  LOG(kDebug, "fuse") << "setxattr '" << name << "' (" << size << " bytes) on inode " << inode;
  fuse_reply_err(req, 0);
}

void GetxattrOp(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  const int64_t inode = InodeFromFuse(ino);
  Result<std::string> value = FsOf(req).GetXattr(CallerFromRequest(req), inode, name);
  if (!value.ok()) return ReplyError(req, value.status(), "getxattr", inode);
  ReplyXattrBytes(req, *value, size);
}

void ListxattrOp(fuse_req_t req, fuse_ino_t ino, size_t size) {
  const int64_t inode = InodeFromFuse(ino);
  Result<std::vector<std::string>> names = FsOf(req).ListXattrs(CallerFromRequest(req), inode);
  if (!names.ok()) return ReplyError(req, names.status(), "listxattr", inode);
  std::string list;
  for (const std::string& name : *names) {
    list += name;
    list.push_back('\0');
  }
  ReplyXattrBytes(req, list, size);
}

void RemovexattrOp(fuse_req_t req, fuse_ino_t ino, const char* name) {
  const int64_t inode = InodeFromFuse(ino);
  Status removed = FsOf(req).RemoveXattr(CallerFromRequest(req), inode, name);
  if (!removed.ok()) return ReplyError(req, removed, "removexattr", inode);
  LOG(kDebug, "fuse") << "removexattr '" << name << "' on inode " << inode;
  fuse_reply_err(req, 0);
}

}  // namespace tessera::fuse
