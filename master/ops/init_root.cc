// Creates the root directory (inode 1, its own parent) of an empty namespace.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyInitRoot(OpContext& op, const master_state::InitRootCommand& command) {
  RETURN_IF_ERROR(CheckMode(command.mode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(auto existing, op.store().GetInode(kRootInode));
  if (existing) return Status::AlreadyExists("the root directory exists");
  InodeRecord root;
  root.inode = kRootInode;
  root.type = rpc::FileType::DIRECTORY;
  root.mode = command.mode;
  root.nlink = 2;
  root.parent = kRootInode;
  root.atime_ns = root.mtime_ns = root.ctime_ns = command.time_ns;
  op.AddInode(root);
  ApplyResult result;
  result.attr = ToAttr(root);
  return result;
}

}  // namespace tessera::master
