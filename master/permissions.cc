#include "master/permissions.h"

#include <algorithm>
#include <string>

namespace tessera::master {

namespace {

bool IsDirectory(const InodeRecord& inode) { return inode.type == rpc::FileType::DIRECTORY; }

// The rwx triple of `inode` that applies to `cred`.
int ClassBits(const Credentials& cred, const InodeRecord& inode) {
  if (cred.uid == inode.uid) return (inode.mode >> 6) & 7;
  if (cred.InGroup(inode.gid)) return (inode.mode >> 3) & 7;
  return inode.mode & 7;
}

std::string Who(const Credentials& cred) { return "uid " + std::to_string(cred.uid); }

std::string Of(const InodeRecord& inode) { return "inode " + std::to_string(inode.inode); }

// Both setuid and, with group-execute, setgid: what Linux's should_remove_suid() drops.
int32_t WithoutPrivilegeBits(int32_t mode) {
  mode &= ~kSetUidBit;
  if ((mode & kGroupExecBit) != 0) mode &= ~kSetGidBit;
  return mode;
}

}  // namespace

bool Credentials::InGroup(int32_t group) const {
  return gid == group || std::find(groups.begin(), groups.end(), group) != groups.end();
}

Status CheckAccess(const Credentials& cred, const InodeRecord& inode, int mask) {
  mask &= kMayRead | kMayWrite | kMayExec;
  if (cred.IsRoot()) {
    // Root may read and write anything, and search any directory, but executes only what
    // someone may execute.
    if ((mask & kMayExec) == 0 || IsDirectory(inode) || (inode.mode & 0111) != 0) {
      return Status::Ok();
    }
    return Status::PermissionDenied(Of(inode) + " has no execute bit, not even for root");
  }
  if ((ClassBits(cred, inode) & mask) == mask) return Status::Ok();
  return Status::PermissionDenied(Who(cred) + " lacks " + ((mask & kMayRead) ? "r" : "") +
                                  ((mask & kMayWrite) ? "w" : "") + ((mask & kMayExec) ? "x" : "") +
                                  " on " + Of(inode));
}

Status CheckModifyDirectory(const Credentials& cred, const InodeRecord& dir) {
  return CheckAccess(cred, dir, kMayWrite | kMayExec);
}

Status CheckRemoveEntry(const Credentials& cred, const InodeRecord& dir,
                        const InodeRecord& victim) {
  RETURN_IF_ERROR(CheckModifyDirectory(cred, dir));
  if ((dir.mode & kStickyBit) == 0 || cred.IsRoot() || cred.uid == victim.uid ||
      cred.uid == dir.uid) {
    return Status::Ok();
  }
  return Status::NotPermitted(Who(cred) + " owns neither " + Of(victim) +
                              " nor its sticky directory " + Of(dir));
}

NewOwnership OwnershipOfNewInode(const Credentials& cred, const InodeRecord& parent, int32_t type,
                                 int32_t mode) {
  NewOwnership out{cred.gid, mode};
  if ((parent.mode & kSetGidBit) == 0) return out;
  out.gid = parent.gid;
  if (type == rpc::FileType::DIRECTORY) {
    out.mode |= kSetGidBit;
  } else if ((out.mode & kSetGidBit) != 0 && !cred.IsRoot() && !cred.InGroup(out.gid)) {
    out.mode &= ~kSetGidBit;
  }
  return out;
}

Status CheckChmod(const Credentials& cred, const InodeRecord& inode, int32_t new_mode) {
  if (cred.IsRoot() || cred.uid == inode.uid) return Status::Ok();
  constexpr int32_t kPrivilegeBits = kSetUidBit | kSetGidBit;
  const bool drops_privilege_only = new_mode != inode.mode && (new_mode & ~inode.mode) == 0 &&
                                    (new_mode & ~kPrivilegeBits) == (inode.mode & ~kPrivilegeBits);
  if (drops_privilege_only && CheckAccess(cred, inode, kMayWrite).ok()) return Status::Ok();
  return Status::NotPermitted(Who(cred) + " does not own " + Of(inode) + ": chmod refused");
}

int32_t ModeAfterChmod(const Credentials& cred, const InodeRecord& inode, int32_t mode) {
  if (!cred.IsRoot() && !cred.InGroup(inode.gid)) mode &= ~kSetGidBit;
  return mode;
}

Status CheckChown(const Credentials& cred, const InodeRecord& inode, int32_t new_uid,
                  int32_t new_gid) {
  if (cred.IsRoot()) return Status::Ok();
  if (new_uid >= 0 && new_uid != inode.uid) {
    return Status::NotPermitted(Who(cred) + " is not root: cannot give " + Of(inode) + " to uid " +
                                std::to_string(new_uid));
  }
  if (new_gid >= 0 && new_gid != inode.gid) {
    if (cred.uid != inode.uid) {
      return Status::NotPermitted(Who(cred) + " does not own " + Of(inode) + ": chgrp refused");
    }
    if (!cred.InGroup(new_gid)) {
      return Status::NotPermitted(Who(cred) + " is not in group " + std::to_string(new_gid));
    }
  }
  if ((new_uid >= 0 || new_gid >= 0) && cred.uid != inode.uid) {
    return Status::NotPermitted(Who(cred) + " does not own " + Of(inode) + ": chown refused");
  }
  return Status::Ok();
}

int32_t ModeAfterChown(const InodeRecord& inode) {
  return IsDirectory(inode) ? inode.mode : WithoutPrivilegeBits(inode.mode);
}

int32_t ModeAfterWrite(const Credentials& cred, const InodeRecord& inode) {
  return cred.IsRoot() ? inode.mode : WithoutPrivilegeBits(inode.mode);
}

Status CheckSetTimes(const Credentials& cred, const InodeRecord& inode, bool only_now) {
  if (cred.IsRoot() || cred.uid == inode.uid) return Status::Ok();
  if (!only_now) {
    return Status::NotPermitted(Who(cred) + " does not own " + Of(inode) +
                                ": cannot set its times");
  }
  return CheckAccess(cred, inode, kMayWrite);
}

Status CheckTruncate(const Credentials& cred, const InodeRecord& inode) {
  return CheckAccess(cred, inode, kMayWrite);
}

}  // namespace tessera::master
