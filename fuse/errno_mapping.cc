#include "fuse/errno_mapping.h"

#include <cerrno>

namespace tessera::fuse {

int ErrnoFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ENOENT;
    case StatusCode::kAlreadyExists:
      return EEXIST;
    case StatusCode::kNotDirectory:
      return ENOTDIR;
    case StatusCode::kIsDirectory:
      return EISDIR;
    case StatusCode::kNotEmpty:
      return ENOTEMPTY;
    case StatusCode::kInvalidArgument:
      return EINVAL;
    case StatusCode::kNameTooLong:
      return ENAMETOOLONG;
    case StatusCode::kNoSpace:
      return ENOSPC;
    case StatusCode::kPermissionDenied:
      return EACCES;
    case StatusCode::kNoData:
      return ENODATA;
    case StatusCode::kNotSupported:
      return EOPNOTSUPP;
    case StatusCode::kNotPermitted:
      return EPERM;
    case StatusCode::kWouldBlock:
      return EAGAIN;
    case StatusCode::kMountExpired:
      return ENOLCK;
    case StatusCode::kFileTooLarge:
      return EFBIG;
    // The client library follows the leader itself; NOT_LEADER reaching the mount means it
    // gave up finding one, which to a program is the same as an unreachable cluster.
    case StatusCode::kNotLeader:
    case StatusCode::kUnavailable:
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
    case StatusCode::kStaleVersion:
    case StatusCode::kInternal:
    case StatusCode::kOk:
      return EIO;
  }
  return EIO;
}

}  // namespace tessera::fuse
