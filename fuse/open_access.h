// What an open(2) asks of a file's permission bits. The kernel checks them too
// (default_permissions, fuse/main.cc), but against attributes it may have cached for up to the
// attribute timeout; the mount asks the master as well, which judges the file as it is now.
// Pure.
#pragma once

namespace tessera::fuse {

// R_OK for reading, W_OK for writing (O_WRONLY/O_RDWR, or O_TRUNC, which writes whatever the
// access mode), as Linux's may_open.
int AccessMaskForOpen(int open_flags);

}  // namespace tessera::fuse
