// Unlinked inodes: POSIX keeps a file whose last name is gone for as long as a process holds it
// open. The master cannot see opens (they cost no log entry), so a regular file losing its last
// name is kept unnamed: nlink 0, no dentry (no lookup finds it), its chunks still referenced
// (the chunk garbage collection keeps them), and an UnlinkedInodeRecord that lists it. Reads,
// writes, commits and truncates by inode keep working. The leader frees it through
// FreeUnlinkedInodeCommand once no mount has reported it open for a grace period
// (master/unlinked_inode_reaper.h).
#include "master/ops/ops.h"

namespace tessera::master {

Result<std::vector<int64_t>> RemoveLastLink(OpContext& op, InodeRecord target, int64_t time_ns) {
  if (target.type != rpc::FileType::REGULAR) return op.RemoveInode(target);
  target.nlink = 0;
  target.ctime_ns = time_ns;
  op.PutInode(target);
  UnlinkedInodeRecord unlinked;
  unlinked.inode = target.inode;
  unlinked.unlinked_ns = time_ns;
  op.PutUnlinkedInode(unlinked);
  return std::vector<int64_t>();
}

Result<ApplyResult> ApplyFreeUnlinkedInode(OpContext& op,
                                           const master_state::FreeUnlinkedInodeCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  ASSIGN_OR_RETURN(auto unlinked, op.store().GetUnlinkedInode(command.inode));
  if (!unlinked) {
    return Status::NotFound("inode " + std::to_string(command.inode) + " is not unlinked");
  }
  ASSIGN_OR_RETURN(InodeRecord target, op.RequireInode(command.inode));
  if (target.nlink != 0) {
    return Status::Corruption("unlinked inode " + std::to_string(command.inode) + " has " +
                              std::to_string(target.nlink) + " links");
  }
  ApplyResult result;
  ASSIGN_OR_RETURN(result.freed_chunk_ids, op.RemoveInode(target));
  op.DeleteUnlinkedInode(command.inode);
  return result;
}

}  // namespace tessera::master
