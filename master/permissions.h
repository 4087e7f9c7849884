// POSIX permission rules of the namespace, as Linux applies them to a local file system: who may
// read, write or search an inode, remove an entry of a sticky directory, chmod, chown and set
// times, and what a new entry, a write or a chown does to the owner and setuid/setgid bits.
//
// Pure functions of the caller's credentials and the records involved: no I/O, no clock, no
// state, so the master's ops apply them deterministically on every replica. Thread-safe.
// Denials are kPermissionDenied (EACCES: a permission bit is missing) or kNotPermitted (EPERM:
// only the owner or root may do this), as the kernel tells them apart.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "master/records.h"

namespace tessera::master {

// Who asks. uid 0 is root: it passes every read/write check, and a search/execute check when
// the inode is a directory or has any execute bit (as Linux's CAP_DAC_OVERRIDE does).
struct Credentials {
  int32_t uid = 0;
  int32_t gid = 0;
  std::vector<int32_t> groups;  // supplementary groups; gid need not be repeated here

  bool IsRoot() const { return uid == 0; }
  // gid is the primary group or one of the supplementary groups.
  bool InGroup(int32_t gid) const;
};

// Bits of an access check, as access(2)'s R_OK, W_OK and X_OK.
inline constexpr int kMayRead = 4;
inline constexpr int kMayWrite = 2;
inline constexpr int kMayExec = 1;  // search, for a directory

inline constexpr int32_t kSetUidBit = 04000;
inline constexpr int32_t kSetGidBit = 02000;
inline constexpr int32_t kStickyBit = 01000;
inline constexpr int32_t kGroupExecBit = 0010;

// kPermissionDenied unless `cred` has every bit of `mask` (kMay*) on `inode`: the owner's class
// when cred.uid is the owner, else the group's when cred is in its group, else the others'.
Status CheckAccess(const Credentials& cred, const InodeRecord& inode, int mask);

// Adding or removing an entry of `dir`: write and search permission on it.
Status CheckModifyDirectory(const Credentials& cred, const InodeRecord& dir);

// Removing or renaming away the entry for `victim` in `dir`: CheckModifyDirectory, and in a
// sticky directory kNotPermitted unless cred owns the victim or the directory, or is root.
Status CheckRemoveEntry(const Credentials& cred, const InodeRecord& dir, const InodeRecord& victim);

// The gid and mode a new inode of `type` takes in `parent`: a setgid parent passes its group,
// and to a new directory also its setgid bit. A non-root caller who ends up outside the new
// inode's group cannot create a setgid regular file; the bit is dropped, as Linux does.
struct NewOwnership {
  int32_t gid = 0;
  int32_t mode = 0;
};
NewOwnership OwnershipOfNewInode(const Credentials& cred, const InodeRecord& parent, int32_t type,
                                 int32_t mode);

// chmod to `new_mode`: only the owner or root (kNotPermitted otherwise). One exception: a mode
// that only drops setuid/setgid is allowed to anyone with write permission, because the kernel
// sends exactly that chmod when a non-owner writes a setuid file (a write drops the bits anyway).
Status CheckChmod(const Credentials& cred, const InodeRecord& inode, int32_t new_mode);
// The mode chmod stores: a non-root caller outside the inode's group cannot set setgid.
int32_t ModeAfterChmod(const Credentials& cred, const InodeRecord& inode, int32_t mode);

// chown/chgrp (new_uid / new_gid < 0: unchanged): only root changes the owner; the owner may
// change the group to a group it is in. Setting the current values is allowed to the owner.
Status CheckChown(const Credentials& cred, const InodeRecord& inode, int32_t new_uid,
                  int32_t new_gid);
// A chown of a non-directory drops setuid, and setgid when group-execute is set (a setgid bit
// without group-execute marks mandatory locking, not privilege). For every caller, as Linux.
int32_t ModeAfterChown(const InodeRecord& inode);

// A write by a non-root caller drops setuid, and setgid when group-execute is set; root's
// writes keep them.
int32_t ModeAfterWrite(const Credentials& cred, const InodeRecord& inode);

// utimensat: explicit times need the owner or root (kNotPermitted); setting both times to now
// (`only_now`) is also allowed with write permission (kPermissionDenied otherwise).
Status CheckSetTimes(const Credentials& cred, const InodeRecord& inode, bool only_now);

// truncate: write permission.
Status CheckTruncate(const Credentials& cred, const InodeRecord& inode);

}  // namespace tessera::master
