// creat(2) with O_EXCL: EEXIST when the name is taken. The new file is empty and keeps the goal
// the proposer chose (the master's --default-goal).
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyCreate(OpContext& op, const master_state::CreateCommand& command) {
  RETURN_IF_ERROR(ValidateName(command.name));
  RETURN_IF_ERROR(CheckMode(command.mode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  if (command.goal < 1) {
    return Status::InvalidArgument("goal " + std::to_string(command.goal) + " < 1");
  }
  ASSIGN_OR_RETURN(InodeRecord parent, op.RequireDirectory(command.parent));
  ASSIGN_OR_RETURN(auto existing, op.store().GetDentry(command.parent, command.name));
  if (existing) return Status::AlreadyExists("'" + command.name + "' exists");
  RETURN_IF_ERROR(CheckInodeUnused(op, command.inode));

  InodeRecord file;
  file.inode = command.inode;
  file.type = rpc::FileType::REGULAR;
  file.mode = command.mode;
  file.uid = command.uid;
  file.gid = command.gid;
  file.nlink = 1;
  file.goal = command.goal;
  file.atime_ns = file.mtime_ns = file.ctime_ns = command.time_ns;
  op.AddInode(file);

  DentryRecord dentry;
  dentry.inode = file.inode;
  dentry.type = file.type;
  op.PutDentry(command.parent, command.name, dentry);

  TouchDirectory(&parent, command.time_ns);
  op.PutInode(parent);

  ApplyResult result;
  result.attr = ToAttr(file);
  return result;
}

}  // namespace tessera::master
