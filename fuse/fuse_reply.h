// Reply helpers shared by the operation handlers, so that every error reaches the kernel
// through ErrnoFromStatus and every entry/attr reply carries the mount's timeouts.
//
// Each helper sends exactly one fuse_reply_* for `req`; after it returns the request is gone.
// Thread-safe.
#pragma once

#include <fuse_lowlevel.h>

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::fuse {

// REQUIRES: !status.ok(). Logs one line naming the operation and inode (debug level for the
// answers programs expect every day, like ENOENT; warning when the cluster failed), then
// replies with the mapped errno.
void ReplyError(fuse_req_t req, const Status& status, std::string_view op, int64_t inode);

void ReplyEntry(fuse_req_t req, const rpc::Attr& attr);
void ReplyAttr(fuse_req_t req, const rpc::Attr& attr);

// Builds the fuse_entry_param ReplyEntry sends (also used by create).
fuse_entry_param EntryParamFromAttr(fuse_req_t req, const rpc::Attr& attr);

// The master's inode number for a kernel inode number.
inline int64_t InodeFromFuse(fuse_ino_t ino) { return static_cast<int64_t>(ino); }

}  // namespace tessera::fuse
