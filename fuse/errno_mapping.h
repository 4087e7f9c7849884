// The one place where a tessera::Status becomes a POSIX errno (STYLE.md: "POSIX errno only at
// the FUSE edge"). Every FUSE reply that reports an error goes through ErrnoFromStatus.
//
// Pure functions; thread-safe.
#pragma once

#include "common/status.h"

namespace tessera::fuse {

// REQUIRES: !status.ok(). Returns a positive errno (ENOENT, EEXIST, ..., EIO for anything that
// means "the cluster could not do it": unavailable, I/O error, corruption, stale version, ...).
// An ok status is a caller bug; it maps to EIO rather than 0 so that the kernel never takes a
// failed operation for a success.
int ErrnoFromStatus(const Status& status);

}  // namespace tessera::fuse
