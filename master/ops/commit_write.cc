// After a write reached every replica: size = max(size, end_offset), mtime = ctime = the
// writer's time. A commit never shrinks a file (a concurrent truncate wins over a late commit
// only up to its own size). A write by a non-root caller drops setuid/setgid
// (permissions.h ModeAfterWrite). Permission to write was checked when the file was opened.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyCommitWrite(OpContext& op,
                                     const master_state::CommitWriteCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  RETURN_IF_ERROR(CheckTime(command.mtime_ns));
  if (command.end_offset < 0 || command.end_offset > kMaxFileSize) {
    return Status::InvalidArgument("end offset " + std::to_string(command.end_offset) +
                                   " out of range");
  }
  ASSIGN_OR_RETURN(InodeRecord record, op.RequireInode(command.inode));
  if (record.type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory("inode " + std::to_string(record.inode) + " is a directory");
  }
  if (record.type != rpc::FileType::REGULAR) {
    return Status::InvalidArgument("inode " + std::to_string(record.inode) + " is not a file");
  }
  record.size = std::max(record.size, command.end_offset);
  record.mtime_ns = command.mtime_ns;
  record.ctime_ns = command.mtime_ns;
  if (command.__isset.caller) {
    record.mode = ModeAfterWrite(*CallerCredentials(true, command.caller), record);
  }
  op.PutInode(record);
  ApplyResult result;
  result.attr = ToAttr(record);
  return result;
}

}  // namespace tessera::master
