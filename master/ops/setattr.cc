// setattr (chmod, chown, truncate, utimens): unset fields stay; *_now means time_ns. ctime always
// becomes time_ns. A size change (truncate) is for regular files only (EISDIR otherwise), sets
// mtime unless an explicit mtime is given, and removes the chunk records lying entirely at or
// beyond the new size; their chunk ids are returned for deletion. Bytes of a partly cut chunk
// beyond the size stay on the chunk servers but are never read (reads stop at the file size).
//
// Permissions (permissions.h): truncate needs write permission (unless through a descriptor
// opened for writing: through_writable_handle), chmod the owner or root, chown
// root (chgrp the owner, to a group it is in), explicit times the owner or root, times set to
// now also write permission. A chown of a non-directory drops setuid/setgid, as does a truncate
// by a non-root caller; a non-root chmod outside the file's group drops setgid.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

namespace {

Status CheckSetAttrAllowed(const Credentials& caller, const InodeRecord& record,
                           const master_state::SetAttrCommand& command) {
  // ftruncate: POSIX judges write permission when the descriptor is opened, not at each use,
  // so open(O_CREAT|O_RDWR, 0444) followed by ftruncate works. The mount vouches for the
  // descriptor as it does for the writes themselves (commitWrite checks no permission either).
  if (command.__isset.size && !command.through_writable_handle) {
    RETURN_IF_ERROR(CheckTruncate(caller, record));
  }
  if (command.__isset.mode) RETURN_IF_ERROR(CheckChmod(caller, record, command.mode));
  if (command.__isset.uid || command.__isset.gid) {
    RETURN_IF_ERROR(CheckChown(caller, record, command.__isset.uid ? command.uid : -1,
                               command.__isset.gid ? command.gid : -1));
  }
  const bool explicit_times = command.__isset.atime_ns || command.__isset.mtime_ns;
  if (explicit_times || command.atime_now || command.mtime_now) {
    // Only "both to now" (touch, utimensat with NULL) is open to writers; a single time set to
    // now leaves the other one as it is, which Linux treats as setting times explicitly.
    const bool only_now = !explicit_times && command.atime_now && command.mtime_now;
    RETURN_IF_ERROR(CheckSetTimes(caller, record, only_now));
  }
  return Status::Ok();
}

}  // namespace

Result<ApplyResult> ApplySetAttr(OpContext& op, const master_state::SetAttrCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  if (command.__isset.mode) RETURN_IF_ERROR(CheckMode(command.mode));
  if (command.__isset.uid && command.uid < 0) return Status::InvalidArgument("negative uid");
  if (command.__isset.gid && command.gid < 0) return Status::InvalidArgument("negative gid");
  // Explicit times may be negative (before 1970); only the leader's clock must not be.
  if (command.__isset.size && (command.size < 0 || command.size > kMaxFileSize)) {
    return Status::InvalidArgument("size " + std::to_string(command.size) + " out of range");
  }
  ASSIGN_OR_RETURN(InodeRecord record, op.RequireInode(command.inode));
  if (command.require_name && record.nlink == 0 && record.type == rpc::FileType::REGULAR) {
    return Status::NotFound("inode " + std::to_string(record.inode) + " has no name left");
  }
  const std::optional<Credentials> caller =
      CallerCredentials(command.__isset.caller, command.caller);
  if (caller) RETURN_IF_ERROR(CheckSetAttrAllowed(*caller, record, command));

  ApplyResult result;
  if (command.__isset.size) {
    if (record.type == rpc::FileType::DIRECTORY) {
      return Status::IsDirectory("cannot truncate directory " + std::to_string(record.inode));
    }
    if (record.type != rpc::FileType::REGULAR) {
      return Status::InvalidArgument("cannot truncate a non-regular file");
    }
    int64_t first_unused_chunk = (command.size + kChunkSize - 1) / kChunkSize;
    ASSIGN_OR_RETURN(result.freed_chunk_ids, op.RemoveChunksFrom(record.inode, first_unused_chunk));
    record.size = command.size;
    record.mtime_ns = command.time_ns;
    if (caller) record.mode = ModeAfterWrite(*caller, record);
  }
  if (command.__isset.uid || command.__isset.gid) record.mode = ModeAfterChown(record);
  if (command.__isset.uid) record.uid = command.uid;
  if (command.__isset.gid) record.gid = command.gid;
  if (command.__isset.mode) {
    // Judged against the group the inode has after this change, as Linux's setattr_copy does.
    record.mode = caller ? ModeAfterChmod(*caller, record, command.mode) : command.mode;
  }
  if (command.__isset.atime_ns) record.atime_ns = command.atime_ns;
  if (command.__isset.mtime_ns) record.mtime_ns = command.mtime_ns;
  if (command.atime_now) record.atime_ns = command.time_ns;
  if (command.mtime_now) record.mtime_ns = command.time_ns;
  record.ctime_ns = command.time_ns;
  op.PutInode(record);
  result.attr = ToAttr(record);
  return result;
}

}  // namespace tessera::master
