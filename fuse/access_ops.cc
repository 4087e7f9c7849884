// access(2) and chdir. Mounted with default_permissions (main.cc), the kernel judges these
// itself and sends no FUSE_ACCESS; the handler stays for a mount made without it (-o options
// cannot remove it, but other kernels or libfuse versions may ask), and then the master judges
// with the caller's uid, gid and groups.
#include "common/logging.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"
#include "fuse/request_caller.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {

void AccessOp(fuse_req_t req, fuse_ino_t ino, int mask) {
  const int64_t inode = InodeFromFuse(ino);
  Result<rpc::Attr> allowed =
      TesseraFuse::FromRequest(req).fs().Access(CallerFromRequest(req), inode, mask);
  if (!allowed.ok()) return ReplyError(req, allowed.status(), "access", inode);
  fuse_reply_err(req, 0);
}

}  // namespace tessera::fuse
