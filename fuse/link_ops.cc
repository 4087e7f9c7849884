// Names without data of their own: hard links, symlinks (and readlink), and mknod of FIFOs,
// sockets and regular files. A FIFO or socket node is only a name with attributes here: the
// kernel keeps the pipe or socket itself local to the host that opens it, as on NFS.
// Device nodes are refused with EPERM: Tessera stores no device numbers, and a device node on a
// shared file system would hand every client host's device to whoever can write the directory.
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "common/logging.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"
#include "fuse/request_caller.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {
namespace {

client::FileSystem& FsOf(fuse_req_t req) { return TesseraFuse::FromRequest(req).fs(); }

// The master's call for a mknod of `mode`'s type; an error status for types it cannot store.
Result<rpc::Attr> MakeNode(fuse_req_t req, int64_t parent, const char* name, mode_t mode) {
  const client::Caller caller = CallerFromRequest(req);
  const uint32_t permissions = mode & 07777;
  switch (mode & S_IFMT) {
    case S_IFREG:
      return FsOf(req).Create(caller, parent, name, permissions);
    case S_IFIFO:
      return FsOf(req).Mknod(caller, parent, name, rpc::FileType::FIFO, permissions);
    case S_IFSOCK:
      return FsOf(req).Mknod(caller, parent, name, rpc::FileType::SOCKET, permissions);
    default:
      return Status::InvalidArgument("mknod of file type bits " +
                                     std::to_string(mode & S_IFMT) + " is not stored");
  }
}

}  // namespace

void LinkOp(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent, const char* new_name) {
  Result<rpc::Attr> attr = FsOf(req).Link(CallerFromRequest(req), InodeFromFuse(ino),
                                          InodeFromFuse(new_parent), new_name);
  if (!attr.ok()) return ReplyError(req, attr.status(), "link", InodeFromFuse(ino));
  LOG(kDebug, "fuse") << "link inode " << ino << " as '" << new_name << "' in inode "
                      << new_parent << ", nlink " << attr->nlink;
  ReplyEntry(req, *attr);
}

void SymlinkOp(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  Result<rpc::Attr> attr =
      FsOf(req).Symlink(CallerFromRequest(req), InodeFromFuse(parent), name, target);
  if (!attr.ok()) return ReplyError(req, attr.status(), "symlink", InodeFromFuse(parent));
  LOG(kDebug, "fuse") << "symlink '" << name << "' in inode " << parent << " -> inode "
                      << attr->inode;
  ReplyEntry(req, *attr);
}

void ReadlinkOp(fuse_req_t req, fuse_ino_t ino) {
  Result<rpc::Attr> attr = FsOf(req).GetAttr(CallerFromRequest(req), InodeFromFuse(ino));
  if (!attr.ok()) return ReplyError(req, attr.status(), "readlink", InodeFromFuse(ino));
  if (attr->type != rpc::FileType::SYMLINK) {
    return ReplyError(req, Status::InvalidArgument("not a symlink"), "readlink",
                      InodeFromFuse(ino));
  }
  fuse_reply_readlink(req, attr->symlink_target.c_str());
}

void MknodOp(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  const mode_t type = mode & S_IFMT;
  if (type == S_IFCHR || type == S_IFBLK) {
    LOG(kInfo, "fuse") << "mknod of device node '" << name << "' in inode " << parent
                       << " refused (EPERM): Tessera stores no device nodes";
    fuse_reply_err(req, EPERM);
    return;
  }
  Result<rpc::Attr> attr = MakeNode(req, InodeFromFuse(parent), name, mode);
  if (!attr.ok()) return ReplyError(req, attr.status(), "mknod", InodeFromFuse(parent));
  LOG(kDebug, "fuse") << "mknod '" << name << "' (type 0" << std::oct << (type >> 12) << std::dec
                      << ") in inode " << parent << " -> inode " << attr->inode;
  ReplyEntry(req, *attr);
}

}  // namespace tessera::fuse
