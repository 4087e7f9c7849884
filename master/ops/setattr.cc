// setattr (chmod, chown, truncate, utimens): unset fields stay; *_now means time_ns. ctime always
// becomes time_ns. A size change (truncate) is for regular files only (EISDIR otherwise), sets
// mtime unless an explicit mtime is given, and removes the chunk records lying entirely at or
// beyond the new size; their chunk ids are returned for deletion. Bytes of a partly cut chunk
// beyond the size stay on the chunk servers but are never read (reads stop at the file size).
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplySetAttr(OpContext& op, const master_state::SetAttrCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  if (command.__isset.mode) RETURN_IF_ERROR(CheckMode(command.mode));
  if (command.__isset.uid && command.uid < 0) return Status::InvalidArgument("negative uid");
  if (command.__isset.gid && command.gid < 0) return Status::InvalidArgument("negative gid");
  if (command.__isset.atime_ns) RETURN_IF_ERROR(CheckTime(command.atime_ns));
  if (command.__isset.mtime_ns) RETURN_IF_ERROR(CheckTime(command.mtime_ns));
  if (command.__isset.size && (command.size < 0 || command.size > kMaxFileSize)) {
    return Status::InvalidArgument("size " + std::to_string(command.size) + " out of range");
  }
  ASSIGN_OR_RETURN(InodeRecord record, op.RequireInode(command.inode));

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
  }
  if (command.__isset.mode) record.mode = command.mode;
  if (command.__isset.uid) record.uid = command.uid;
  if (command.__isset.gid) record.gid = command.gid;
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
