// A read moved a regular file's access time (the mount applies relatime/strictatime and sends
// this at most once per open): atime = max(atime, time_ns). Unlike utimensat, ctime and mtime
// stay, as for a local file system's atime update, so page caches keyed on them stay valid.
// The caller must be able to read the file now (root always can).
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyTouchAtime(OpContext& op, const master_state::TouchAtimeCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(InodeRecord record, op.RequireInode(command.inode));
  if (record.type != rpc::FileType::REGULAR) {
    return Status::InvalidArgument("inode " + std::to_string(record.inode) +
                                   " is not a regular file");
  }
  const std::optional<Credentials> caller =
      CallerCredentials(command.__isset.caller, command.caller);
  if (caller) RETURN_IF_ERROR(CheckAccess(*caller, record, kMayRead));
  // Never backwards: two mounts' updates may apply in either order.
  if (command.time_ns > record.atime_ns) {
    record.atime_ns = command.time_ns;
    op.PutInode(record);
  }
  ApplyResult result;
  result.attr = ToAttr(record);
  return result;
}

}  // namespace tessera::master
