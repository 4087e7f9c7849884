// Validation of names and sizes shared by every part (DESIGN.md, "Bad input").
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace tessera {

// The most replicas a file may ask for (its goal is 1..kMaxGoal).
inline constexpr int kMaxGoal = 16;

inline constexpr size_t kMaxNameBytes = 255;
inline constexpr int64_t kChunkSize = int64_t{64} << 20;       // 64 MiB
inline constexpr int64_t kChecksumBlockSize = int64_t{64} << 10;  // 64 KiB
inline constexpr int64_t kMaxIoBytes = int64_t{4} << 20;        // one RPC moves at most 4 MiB
// Largest file size we accept: 2^50 bytes (1 PiB) keeps chunk indexes and offsets far from
// overflow in every computation.
inline constexpr int64_t kMaxFileSize = int64_t{1} << 50;
inline constexpr int64_t kRootInode = 1;

// OK for a directory entry name: 1..255 bytes, no '/' or NUL, not "." or "..".
Status ValidateName(std::string_view name);

// A symlink's target: 1..4095 bytes (PATH_MAX less its NUL), no NUL; any other byte is allowed.
inline constexpr size_t kMaxSymlinkTargetBytes = 4095;
Status ValidateSymlinkTarget(std::string_view target);

// rename flags on the wire: Linux's renameat2 values, which FUSE passes through unchanged.
inline constexpr uint32_t kRenameNoReplace = 1;
inline constexpr uint32_t kRenameExchange = 2;
// 0, kRenameNoReplace or kRenameExchange; anything else (both, whiteout) is kInvalidArgument.
Status ValidateRenameFlags(uint32_t flags);

}  // namespace tessera
