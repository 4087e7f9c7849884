// What an open(2) asks of a file's permission bits. The mount runs without the kernel's
// default_permissions (the master judges every permission with the caller's groups), so the
// kernel checks nothing at open and the mount asks the master before opening. Pure.
#pragma once

namespace tessera::fuse {

// R_OK for reading, W_OK for writing (O_WRONLY/O_RDWR, or O_TRUNC, which writes whatever the
// access mode), as Linux's may_open.
int AccessMaskForOpen(int open_flags);

}  // namespace tessera::fuse
