// What Tessera accepts as an extended attribute, and who may read or change one: the rules of
// Linux's xattr(7) and fs/xattr.c, kept in one place so the RPC edge, the apply of a command and
// the read path agree.
//
//   user.*      regular files and directories only (writing elsewhere: kNotPermitted, reading:
//               kNoData); the mode bits decide, root passes; in a sticky directory only its
//               owner or root may write (kNotPermitted).
//   trusted.*   root only (writing: kNotPermitted; reading: kNoData; listing hides them).
//   security.*  anyone reads; only root writes (kNotPermitted), as the capability LSM has it.
//   system.*    kNotSupported: Tessera stores no POSIX ACLs, and no other system.* name.
//   other       kNotSupported (an unknown namespace).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "master/permissions.h"
#include "master/records.h"

namespace tessera::master {

inline constexpr size_t kMaxXattrNameBytes = 255;     // XATTR_NAME_MAX
inline constexpr size_t kMaxXattrValueBytes = 65536;  // XATTR_SIZE_MAX
// Names plus values of all attributes of one inode; beyond it setxattr is kNoSpace (ENOSPC),
// like a local file system whose attribute space is full.
inline constexpr size_t kMaxXattrBytesPerInode = 256 * 1024;

// setxattr(2) flags.
inline constexpr int32_t kXattrCreate = 1;   // XATTR_CREATE: fail when present
inline constexpr int32_t kXattrReplace = 2;  // XATTR_REPLACE: fail when absent

// Who asks: the same credentials as every other permission check (permissions.h).
using XattrCaller = Credentials;

enum class XattrAccess { kRead, kWrite };

// 1..255 bytes, no NUL, a supported namespace prefix followed by at least one byte (a bare
// prefix such as "user." is kInvalidArgument, as on Linux).
// kInvalidArgument / kNameTooLong / kNotSupported.
Status ValidateXattrName(std::string_view name);
// At most kMaxXattrValueBytes (kInvalidArgument: the kernel answers E2BIG before asking us).
Status ValidateXattrValue(std::string_view value);
// Bits of kXattrCreate and kXattrReplace only. With both, as on ext4, a missing attribute is
// ENODATA and a present one EEXIST.
Status ValidateXattrFlags(int32_t flags);

// REQUIRES: ValidateXattrName(name) is ok. May `caller` read or write `name` on `inode`?
Status CheckXattrAccess(const InodeRecord& inode, std::string_view name, const XattrCaller& caller,
                        XattrAccess access);
// Whether listxattr shows `name` to `caller` (trusted.* only to root).
bool IsListedFor(std::string_view name, const XattrCaller& caller);

}  // namespace tessera::master
