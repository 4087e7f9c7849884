// mkdir(2): EEXIST when the name is taken; the parent gains a link ("..") and new times. The
// caller needs write and search permission on the parent; a setgid parent passes its group and
// its setgid bit to the new directory.
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyMkdir(OpContext& op, const master_state::MkdirCommand& command) {
  RETURN_IF_ERROR(CheckMode(command.mode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(InodeRecord parent,
                   PrepareNewEntry(op, command.parent, command.name, command.inode));
  ASSIGN_OR_RETURN(const NewOwnership owner,
                   AuthorizeNewEntry(CallerCredentials(command.__isset.caller, command.caller),
                                     command.uid, command.gid, parent, rpc::FileType::DIRECTORY,
                                     command.mode));

  InodeRecord dir;
  dir.inode = command.inode;
  dir.type = rpc::FileType::DIRECTORY;
  dir.mode = owner.mode;
  dir.uid = command.uid;
  dir.gid = owner.gid;
  dir.nlink = 2;
  dir.parent = command.parent;
  dir.goal = parent.goal;  // a goal set on a directory reaches its whole new subtree
  dir.atime_ns = dir.mtime_ns = dir.ctime_ns = command.time_ns;
  ++parent.nlink;  // the new directory's ".."
  LinkNewInode(op, parent, command.name, dir, command.time_ns);

  ApplyResult result;
  result.attr = ToAttr(dir);
  return result;
}

}  // namespace tessera::master
