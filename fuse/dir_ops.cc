// Directory listing: opendir takes a snapshot (dir_snapshot.h), readdir and readdirplus serve it
// by index.
//
// Why readdirplus: `ls -l`, `find`, `rm -r` and `du` look up and stat every entry they list;
// handing the kernel each entry's attributes with the listing saves one master round trip per
// entry. The kernel believes what readdirplus hands it as it believes a lookup, so a stale entry
// would be worse than none: after this mount renamed "a.tmp" over "a", a snapshot taken before
// would bring back the name "a.tmp" and send the next open(O_CREAT) of it to the renamed inode.
// So the snapshot's attributes go out only
//   - while this mount has changed nothing since the snapshot was taken (LocalMutationCount).
//     This is race-free: the kernel holds the directory's lock across a readdirplus request and
//     its reply, and every change of the directory's entries takes that lock, so a change either
//     returned before the request reached us (and moved the count) or starts after the reply;
//     an attribute change racing with the reply is discarded by the kernel's attr_version;
//   - with what is left of the attribute and entry timeouts, so other mounts' changes show up
//     as late as after a lookup, never later;
//   - for files this mount holds no uncommitted writes to: a write buffered after the snapshot
//     moves no count (it reaches the master only at commit), and the snapshot's smaller size
//     would make the kernel shrink the file. A write racing with the reply bumps the kernel's
//     attr_version, which discards the entry's attributes.
// Otherwise entries go without attributes and the kernel looks them up.
#include <algorithm>
#include <cstring>
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
  TesseraFuse& tessera = TesseraFuse::FromRequest(req);
  // The kernel chooses between readdir and readdirplus only later, call by call; a listing with
  // attributes serves both.
  Result<std::unique_ptr<DirSnapshot>> snapshot =
      DirSnapshot::Load(tessera.fs(), CallerFromRequest(req), InodeFromFuse(ino),
                        client::DirListing::kWithAttrs, tessera.clock().NowMonotonicNanos());
  if (!snapshot.ok()) return ReplyError(req, snapshot.status(), "opendir", InodeFromFuse(ino));
  fi->fh = tessera.dirs().Adopt(std::move(*snapshot));
  if (fuse_reply_open(req, fi) != 0) tessera.dirs().Take(fi->fh);
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

// The entry readdirplus adds for `entry`: its attributes with the timeouts left after `age_s`,
// or (ino 0) none, which makes the kernel list the name without caching anything.
fuse_entry_param PlusEntry(fuse_req_t req, const rpc::DirEntry& entry, bool attrs_current,
                           double age_s) {
  fuse_entry_param param;
  std::memset(&param, 0, sizeof(param));
  const MountOptions& options = TesseraFuse::FromRequest(req).options();
  const double attr_left = options.attr_timeout_s - age_s;
  const double entry_left = options.entry_timeout_s - age_s;
  const bool dot_or_dotdot = entry.name == "." || entry.name == "..";
  const bool attrs_usable = attrs_current && entry.__isset.attr && !dot_or_dotdot &&
                            attr_left > 0 && entry_left > 0;
  if (attrs_usable && !TesseraFuse::FromRequest(req).fs().HasUncommittedWrites(entry.inode)) {
    param = EntryParamFromAttr(req, entry.attr);
    param.attr_timeout = attr_left;
    param.entry_timeout = entry_left;
    return param;
  }
  param.attr.st_ino = static_cast<ino_t>(entry.inode);
  param.attr.st_mode = FileTypeBits(entry.type);
  return param;
}

void ReaddirplusOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi) {
  const DirSnapshot& snapshot = SnapshotOf(fi);
  const std::vector<rpc::DirEntry>& entries = snapshot.entries();
  if (offset < 0) {
    return ReplyError(req, Status::InvalidArgument("negative readdir offset"), "readdirplus",
                      InodeFromFuse(ino));
  }
  TesseraFuse& tessera = TesseraFuse::FromRequest(req);
  const bool attrs_current = tessera.fs().LocalMutationCount() == snapshot.mutations_at_load();
  const int64_t age_ns =
      std::max<int64_t>(0, tessera.clock().NowMonotonicNanos() - snapshot.attrs_loaded_at_ns());
  const double age_s = static_cast<double>(age_ns) / 1e9;
  std::string buffer(size, '\0');
  size_t used = 0;
  for (size_t index = static_cast<size_t>(offset); index < entries.size(); ++index) {
    const rpc::DirEntry& entry = entries[index];
    const fuse_entry_param param = PlusEntry(req, entry, attrs_current, age_s);
    const size_t needed =
        fuse_add_direntry_plus(req, buffer.data() + used, size - used, entry.name.c_str(), &param,
                               static_cast<off_t>(index + 1));
    // Buffer full: the kernel asks again from index. An entry that did not fit was not handed
    // to the kernel, so it takes no lookup reference.
    if (needed > size - used) break;
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
