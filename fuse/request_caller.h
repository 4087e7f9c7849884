// Who issued a FUSE request, as the master wants to know it (uid, gid, supplementary groups).
#pragma once

#include <fuse_lowlevel.h>

#include "client/file_system.h"

namespace tessera::fuse {

// uid and gid from fuse_req_ctx; groups from fuse_req_getgroups (which reads
// /proc/PID/status), through the session's GroupsCache. When the groups cannot be read (the
// process already exited, or the kernel does not say), the caller is sent with its primary gid
// only: the master then grants no more than the primary identity allows, never more.
// Thread-safe.
client::Caller CallerFromRequest(fuse_req_t req);

}  // namespace tessera::fuse
