// mkdir(2): EEXIST when the name is taken; the parent gains a link ("..") and new times.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyMkdir(OpContext& op, const master_state::MkdirCommand& command) {
  RETURN_IF_ERROR(ValidateName(command.name));
  RETURN_IF_ERROR(CheckMode(command.mode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(InodeRecord parent, op.RequireDirectory(command.parent));
  ASSIGN_OR_RETURN(auto existing, op.store().GetDentry(command.parent, command.name));
  if (existing) return Status::AlreadyExists("'" + command.name + "' exists");
  RETURN_IF_ERROR(CheckInodeUnused(op, command.inode));

  InodeRecord dir;
  dir.inode = command.inode;
  dir.type = rpc::FileType::DIRECTORY;
  dir.mode = command.mode;
  dir.uid = command.uid;
  dir.gid = command.gid;
  dir.nlink = 2;
  dir.parent = command.parent;
  dir.atime_ns = dir.mtime_ns = dir.ctime_ns = command.time_ns;
  op.AddInode(dir);

  DentryRecord dentry;
  dentry.inode = dir.inode;
  dentry.type = dir.type;
  op.PutDentry(command.parent, command.name, dentry);

  ++parent.nlink;
  TouchDirectory(&parent, command.time_ns);
  op.PutInode(parent);

  ApplyResult result;
  result.attr = ToAttr(dir);
  return result;
}

}  // namespace tessera::master
