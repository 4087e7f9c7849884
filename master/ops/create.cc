// creat(2) with O_EXCL: EEXIST when the name is taken. The new file is empty; its goal is its
// directory's when the directory has one (tessera goal set), else the proposer's (the master's
// --default-goal). The caller needs write and search permission on the directory; a setgid
// directory passes its group.
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyCreate(OpContext& op, const master_state::CreateCommand& command) {
  RETURN_IF_ERROR(CheckMode(command.mode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  if (command.goal < 1) {
    return Status::InvalidArgument("goal " + std::to_string(command.goal) + " < 1");
  }
  ASSIGN_OR_RETURN(InodeRecord parent,
                   PrepareNewEntry(op, command.parent, command.name, command.inode));
  ASSIGN_OR_RETURN(const NewOwnership owner,
                   AuthorizeNewEntry(CallerCredentials(command.__isset.caller, command.caller),
                                     command.uid, command.gid, parent, rpc::FileType::REGULAR,
                                     command.mode));

  InodeRecord file;
  file.inode = command.inode;
  file.type = rpc::FileType::REGULAR;
  file.mode = owner.mode;
  file.uid = command.uid;
  file.gid = owner.gid;
  file.nlink = 1;
  file.goal = parent.goal > 0 ? parent.goal : command.goal;
  file.atime_ns = file.mtime_ns = file.ctime_ns = command.time_ns;
  LinkNewInode(op, parent, command.name, file, command.time_ns);

  ApplyResult result;
  result.attr = ToAttr(file);
  return result;
}

}  // namespace tessera::master
