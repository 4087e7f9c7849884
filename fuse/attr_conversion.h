// Conversion of the master's rpc::Attr into the struct stat the kernel expects.
//
// Pure functions; thread-safe.
#pragma once

#include <sys/stat.h>

#include <cstdint>

#include "gen-cpp/tessera_types.h"

namespace tessera::fuse {

// Block size reported to programs (st_blksize, f_bsize): 1 MiB, the FUSE max_write, so that
// cp and friends issue large writes.
inline constexpr int64_t kPreferredIoBytes = int64_t{1} << 20;

// st_mode = file type bits | permission bits (07777); times with nanoseconds; st_blocks counts
// 512-byte units covering st_size (Tessera does not track sparse allocation), st_blksize 1 MiB.
struct stat StatFromAttr(const rpc::Attr& attr);

// S_IFREG / S_IFDIR / S_IFLNK for a file type (S_IFREG for a type this build does not know).
mode_t FileTypeBits(rpc::FileType::type type);

}  // namespace tessera::fuse
