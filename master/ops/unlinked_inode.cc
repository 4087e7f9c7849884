// Unlinked inodes: POSIX keeps a file whose last name is gone for as long as a process holds it
// open. The master cannot see opens (they cost no log entry), so a regular file losing its last
// name is kept unnamed: nlink 0, no dentry (no lookup finds it), its chunks still referenced
// (the chunk garbage collection keeps them), and an UnlinkedInodeRecord that lists it. Reads,
// writes, commits and truncates by inode keep working. The leader frees it through
// FreeUnlinkedInodeCommand once no mount has reported it open for a grace period
// (master/unlinked_inode_reaper.h).
#include <unordered_set>

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

namespace {

// Frees one unlinked inode into `op`'s batch and adds its chunks to `freed_chunk_ids`.
Status FreeOne(OpContext& op, int64_t inode, std::vector<int64_t>& freed_chunk_ids) {
  RETURN_IF_ERROR(CheckInodeNumber(inode));
  ASSIGN_OR_RETURN(auto unlinked, op.store().GetUnlinkedInode(inode));
  if (!unlinked) return Status::NotFound("inode " + std::to_string(inode) + " is not unlinked");
  ASSIGN_OR_RETURN(InodeRecord target, op.RequireInode(inode));
  if (target.nlink != 0) {
    return Status::Corruption("unlinked inode " + std::to_string(inode) + " has " +
                              std::to_string(target.nlink) + " links");
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> chunks, op.RemoveInode(target));
  freed_chunk_ids.insert(freed_chunk_ids.end(), chunks.begin(), chunks.end());
  op.DeleteUnlinkedInode(inode);
  return Status::Ok();
}

}  // namespace

Result<ApplyResult> ApplyFreeUnlinkedInode(OpContext& op,
                                           const master_state::FreeUnlinkedInodeCommand& command) {
  if (command.inodes.empty() || command.inodes.size() > kMaxInodesPerFree) {
    return Status::InvalidArgument("a free lists 1.." + std::to_string(kMaxInodesPerFree) +
                                   " inodes, not " + std::to_string(command.inodes.size()));
  }
  // Reads see the store before this batch, so a repeated inode would be freed twice.
  std::unordered_set<int64_t> distinct(command.inodes.begin(), command.inodes.end());
  if (distinct.size() != command.inodes.size()) {
    return Status::InvalidArgument("a free lists an inode twice");
  }
  ApplyResult result;
  for (int64_t inode : command.inodes) RETURN_IF_ERROR(FreeOne(op, inode, result.freed_chunk_ids));
  return result;
}

}  // namespace tessera::master
