// Directory listing: opendir takes a snapshot (dir_snapshot.h), readdir serves it by index.
#include <memory>
#include <string>
#include <vector>

#include "fuse/attr_conversion.h"
#include "fuse/dir_snapshot.h"
#include "fuse/fuse_ops.h"
#include "fuse/fuse_reply.h"
#include "fuse/request_caller.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {
namespace {

DirSnapshot& SnapshotOf(const fuse_file_info* fi) {
  return *reinterpret_cast<DirSnapshot*>(static_cast<uintptr_t>(fi->fh));
}

}  // namespace

void OpendirOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Result<std::unique_ptr<DirSnapshot>> snapshot = DirSnapshot::Load(
      TesseraFuse::FromRequest(req).fs(), CallerFromRequest(req), InodeFromFuse(ino));
  if (!snapshot.ok()) return ReplyError(req, snapshot.status(), "opendir", InodeFromFuse(ino));
  fi->fh = TesseraFuse::FromRequest(req).dirs().Adopt(std::move(*snapshot));
  if (fuse_reply_open(req, fi) != 0) TesseraFuse::FromRequest(req).dirs().Take(fi->fh);
}

// `offset` is the index of the next entry to return: 0 at the start, and each entry added
// carries the index after it, which is what the kernel hands back to continue.
void ReaddirOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi) {
  const std::vector<rpc::DirEntry>& entries = SnapshotOf(fi).entries();
  if (offset < 0) {
    return ReplyError(req, Status::InvalidArgument("negative readdir offset"), "readdir",
                      InodeFromFuse(ino));
  }
  std::string buffer(size, '\0');
  size_t used = 0;
  for (size_t index = static_cast<size_t>(offset); index < entries.size(); ++index) {
    const rpc::DirEntry& entry = entries[index];
    struct stat st {};
    st.st_ino = static_cast<ino_t>(entry.inode);
    st.st_mode = FileTypeBits(entry.type);
    const size_t needed = fuse_add_direntry(req, buffer.data() + used, size - used,
                                            entry.name.c_str(), &st, static_cast<off_t>(index + 1));
    if (needed > size - used) break;  // buffer full: the kernel asks again from index
    used += needed;
  }
  fuse_reply_buf(req, buffer.data(), used);
}

void ReleasedirOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  TesseraFuse::FromRequest(req).dirs().Take(fi->fh);
  fuse_reply_err(req, 0);
}

// Namespace changes are committed through the master's replicated log before they are
// acknowledged, so there is nothing left to make durable here.
// Entries live on the master: a directory is durable once the master synced its metadata.
void FsyncdirOp(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Status synced = TesseraFuse::FromRequest(req).fs().SyncMetadata(CallerFromRequest(req));
  if (!synced.ok()) return ReplyError(req, synced, "fsyncdir", InodeFromFuse(ino));
  fuse_reply_err(req, 0);
}

}  // namespace tessera::fuse
